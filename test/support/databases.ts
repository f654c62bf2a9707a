// Test databases: one template built from the migrations per migration set, and a
// fresh copy of it per test file, so files run in parallel on their own data.
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import postgres from "postgres";
import { openDatabase } from "../../src/db/client.ts";
import { MIGRATIONS_FOLDER, runMigrations } from "../../src/db/migrate.ts";

/** Where tests may create and drop databases (trust auth on the local server). */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

function migrationsHash(): string {
  const h = createHash("sha256");
  for (const f of readdirSync(MIGRATIONS_FOLDER)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    h.update(f).update(readFileSync(`${MIGRATIONS_FOLDER}/${f}`));
  }
  return h.digest("hex").slice(0, 12);
}

export const TEMPLATE = `runstrong_tmpl_${migrationsHash()}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Postgres refuses to copy a template while another session touches it: wait a moment and retry. */
async function retryInUse<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: string }).code !== "55006" || attempt >= 40) throw err;
      await sleep(50 + Math.random() * 100);
    }
  }
}

export async function ensureTemplate(): Promise<void> {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    const exists = await admin`select 1 from pg_database where datname = ${TEMPLATE} and datistemplate`;
    if (exists.length > 0) return;
    const building = `${TEMPLATE}_b${randomBytes(3).toString("hex")}`;
    await admin.unsafe(`create database "${building}"`);
    const pool = openDatabase(databaseUrl(building), { max: 2 });
    try {
      await runMigrations(pool);
    } finally {
      await pool.close();
    }
    try {
      // Renaming the finished copy makes the template appear whole or not at all,
      // even when two test runs build it at once.
      await admin.unsafe(`alter database "${building}" rename to "${TEMPLATE}"`);
      await admin.unsafe(`alter database "${TEMPLATE}" is_template true`);
    } catch (err) {
      if ((err as { code?: string }).code !== "42P04") throw err;
      await admin.unsafe(`drop database if exists "${building}"`);
    }
  } finally {
    await admin.end();
  }
}

export async function createTestDatabase(): Promise<{
  name: string;
  url: string;
  drop: () => Promise<void>;
}> {
  const name = `rs_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await retryInUse(() => admin.unsafe(`create database "${name}" template "${TEMPLATE}"`));
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(name),
    drop: async () => {
      const a = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
