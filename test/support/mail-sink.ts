// A real SMTP server for tests (smtp-server), on 127.0.0.1 and a free port: every
// message it accepts is parsed with mailparser and kept with its recipients.
import { createServer } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  to: string[];
  mail: ParsedMail;
  /** a header as it was written, e.g. header("list-unsubscribe-post") */
  header(name: string): string | undefined;
}

export interface MailSink {
  url: string;
  received: ReceivedMail[];
  /** recipients the server refuses with 550, quoting the address as real servers do */
  refuse: Set<string>;
  /** every RCPT TO the server was given, refused or not */
  recipients: string[];
  close(): Promise<void>;
}

export async function startMailSink(): Promise<MailSink> {
  const received: ReceivedMail[] = [];
  const refuse = new Set<string>();
  const recipients: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      recipients.push(address.address);
      if (!refuse.has(address.address)) return callback();
      callback(
        Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected`), {
          responseCode: 550,
        }),
      );
    },
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((r) => r.address);
      simpleParser(stream).then(
        (mail) => {
          received.push({
            to,
            mail,
            header: (name) =>
              mail.headerLines
                .find((h) => h.key === name.toLowerCase())
                ?.line.replace(/^[^:]+:\s*/, "")
                .replace(/\r?\n\s+/g, " "),
          });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  if (!address || typeof address === "string") throw new Error("SMTP sink has no port");
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    received,
    refuse,
    recipients,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An smtp:// URL where nothing listens: an SMTP server that is down. */
export async function deadSmtpUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no free port");
  return `smtp://127.0.0.1:${address.port}`;
}
