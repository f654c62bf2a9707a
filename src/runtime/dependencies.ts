// Before anything starts: can we reach Postgres and Redis? When not, say which,
// where we looked and how to get it, in a few lines a person can act on.
import { Redis } from "ioredis";
import postgres from "postgres";
import { redactUrl } from "../config.ts";

export interface MissingDependency {
  name: "PostgreSQL" | "Redis";
  setting: "DATABASE_URL" | "REDIS_URL";
  url: string;
  error: string;
  hint: string[];
}

const POSTGRES_HINT = [
  "start it with Docker:   docker compose up -d postgres   (docker-compose.yml in this repository)",
  "or install it (Debian): apt-get install postgresql && pg_ctlcluster $(ls /etc/postgresql) main start",
  "or point DATABASE_URL at a server you have (postgres://user:password@host:5432/runstrong)",
];
const REDIS_HINT = [
  "start it with Docker:   docker compose up -d redis",
  "or install it (Debian): apt-get install redis-server && redis-server --daemonize yes",
  "or point REDIS_URL at a server you have (redis://host:6379)",
];

function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describe(err.errors[0]);
  const e = err as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(" ").trim() || String(err);
}

/**
 * With `createIfMissing`, a database that does not exist yet is fine (migrate will
 * create it), so only the server itself has to answer.
 */
export async function checkPostgres(
  url: string,
  options: { createIfMissing: boolean },
): Promise<MissingDependency | null> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return null;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "3D000") {
      if (options.createIfMissing) return null;
      return {
        name: "PostgreSQL",
        setting: "DATABASE_URL",
        url: redactUrl(url),
        error: describe(err),
        hint: [
          "the server answers but the database does not exist yet: run `npx runstrong migrate` (or `npm start`)",
        ],
      };
    }
    return {
      name: "PostgreSQL",
      setting: "DATABASE_URL",
      url: redactUrl(url),
      error: describe(err),
      hint: POSTGRES_HINT,
    };
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

export async function checkRedis(url: string): Promise<MissingDependency | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 3_000,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED...) says more than connect()'s "Connection is closed".
  let socketError: unknown = null;
  redis.on("error", (err) => {
    socketError ??= err;
  });
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (err) {
    return {
      name: "Redis",
      setting: "REDIS_URL",
      url: redactUrl(url),
      error: describe(socketError ?? err),
      hint: REDIS_HINT,
    };
  } finally {
    redis.disconnect();
  }
}

export function formatMissing(missing: MissingDependency[]): string {
  return missing
    .map((m) =>
      [
        `runstrong needs ${m.name}, and it did not answer.`,
        `  looked at: ${m.url} (${m.setting})`,
        `  error:     ${m.error}`,
        ...m.hint.map((h, i) => `  ${i === 0 ? "to fix:    " : "           "}${h}`),
      ].join("\n"),
    )
    .join("\n\n");
}
