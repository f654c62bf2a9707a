import { PgTransaction } from "drizzle-orm/pg-core";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index.ts";

export type Database = PostgresJsDatabase<typeof schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** A database handle or an open transaction: repositories accept either. */
export type Executor = Database | Transaction;

export function isTransaction(db: Executor): db is Transaction {
  return db instanceof PgTransaction;
}

/**
 * Runs `fn` in a transaction: the caller's, when `db` is one (so what `fn` does
 * commits or rolls back with the rest of the caller's work, and a transaction-scoped
 * lock lasts to the caller's commit), else a new one.
 */
export function withTransaction<T>(db: Executor, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return isTransaction(db) ? fn(db) : db.transaction(fn);
}

export interface DatabasePool {
  db: Database;
  sql: postgres.Sql;
  close: () => Promise<void>;
}

export function openDatabase(
  url: string,
  options: { max?: number; applicationName?: string } = {},
): DatabasePool {
  const sql = postgres(url, {
    max: options.max ?? 10,
    // Postgres' own chatter (NOTICE: relation already exists...) is not ours to log.
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? "runstrong" },
    connect_timeout: 5,
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
