import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { DatabasePool } from "./client.ts";
import { ensureInstallId } from "./repos/app-state.ts";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../migrations", import.meta.url));

// Any fixed number: it only has to be the same in every runstrong process, so that
// two instances starting together apply migrations one after the other.
const MIGRATION_LOCK = 7_406_243_118;

/** Creates the database named in `url` when it does not exist yet (as `createdb` would). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  if (!name) throw new Error("DATABASE_URL names no database");
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const sql = postgres(maintenance.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length > 0) return false;
    try {
      await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`);
    } catch (err) {
      // Another instance created it between our look and our create.
      if ((err as { code?: string }).code !== "42P04") throw err;
    }
    return true;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Applies the shipped migrations and gives a new database its install id. */
export async function runMigrations(pool: DatabasePool): Promise<void> {
  const reserved = await pool.sql.reserve();
  try {
    await reserved`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(pool.db, { migrationsFolder: MIGRATIONS_FOLDER });
    await ensureInstallId(pool.db);
  } finally {
    await reserved`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    reserved.release();
  }
}

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

export function expectedMigrations(): Journal["entries"] {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as Journal;
  return journal.entries;
}

/** How many of the shipped migrations the database still lacks (0 when current). */
export async function pendingMigrations(sql: postgres.Sql): Promise<number> {
  const expected = expectedMigrations();
  const table = await sql`select to_regclass('drizzle.__drizzle_migrations') as t`;
  if (!table[0]?.t) return expected.length;
  const rows = await sql`select max(created_at) as latest from drizzle.__drizzle_migrations`;
  const latest = Number(rows[0]?.latest ?? 0);
  return expected.filter((m) => m.when > latest).length;
}
