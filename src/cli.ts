// The `runstrong` command line. Each command lives in src/commands/<name>.ts and is
// loaded only when asked for, so `runstrong plan` never opens a database pool.
import { type CommandIO, type CommandRun, EXIT_OK, EXIT_USAGE, UsageError } from "./commands/command.ts";

/** A command's module: how to run it and, when it has one, its usage line for --help. */
interface CommandModule {
  run: CommandRun;
  USAGE?: string;
}

const commands: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  start: {
    summary: "migrate, then serve HTTP and run the workers in one process",
    load: () => import("./commands/start.ts"),
  },
  serve: { summary: "serve HTTP only", load: () => import("./commands/serve.ts") },
  work: { summary: "run the queue workers only", load: () => import("./commands/work.ts") },
  migrate: {
    summary: "create the database if missing and apply migrations",
    load: () => import("./commands/migrate.ts"),
  },
  classify: {
    summary: "classify activity files (Strava JSON, Garmin JSON, .fit)",
    load: () => import("./commands/classify.ts"),
  },
  plan: {
    summary: "plan strength sessions from a JSON description of runs",
    load: () => import("./commands/plan.ts"),
  },
  strava: {
    summary: "manage the Strava push subscription: subscribe | status | unsubscribe",
    load: () => import("./commands/strava.ts"),
  },
  backfill: {
    summary: "import an athlete's recent Strava activities: --athlete ID [--weeks N]",
    load: () => import("./commands/backfill.ts"),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: runstrong <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(usage());
    return name ? 0 : EXIT_USAGE;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`runstrong: unknown command "${name}" (runstrong --help lists them)\n`);
    return EXIT_USAGE;
  }
  const mod = await command.load();
  // Asking a command for help never starts it (a server, a migration, a backfill).
  if (mod.USAGE && args.some((a) => a === "--help" || a === "-h")) {
    io.stdout.write(`${mod.USAGE}\n`);
    return EXIT_OK;
  }
  try {
    return await mod.run(args, io);
  } catch (err) {
    // Raised past a command, e.g. by start-up: this install's Redis prefix is another's.
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`runstrong ${name}: ${err.message}\n`);
    return EXIT_USAGE;
  }
}
