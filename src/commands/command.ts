// Every `runstrong <command>` is a module exporting `run(args, io)` that returns
// the process exit code: 0 ok, 1 failure at run time, 2 bad input or a missing
// dependency. Taking the streams as arguments lets tests run commands in-process.

export interface CommandIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type CommandRun = (args: string[], io: CommandIO) => Promise<number>;

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A one-line message for standard error, for input the user must fix. */
export class UsageError extends Error {
  override name = "UsageError";
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
