import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index.ts";

export type Database = PostgresJsDatabase<typeof schema>;
/** A database handle or an open transaction: repositories accept either. */
export type Executor = Database | Parameters<Parameters<Database["transaction"]>[0]>[0];

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
