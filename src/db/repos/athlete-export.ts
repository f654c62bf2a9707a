// Reading everything stored about one athlete, for "Export my data": their
// athletes row, every row of every athlete_id table (the list from
// athlete-erasure.ts's athleteTables, so a new table is exported without anyone
// remembering it) and the webhook inbox rows naming their provider ids. Rows are
// read through a cursor, a page at a time, so a long history is never held in
// memory whole. Call these inside one read-only repeatable-read transaction: the
// file is then one consistent picture.
import { sql } from "drizzle-orm";
import type { Transaction } from "../client.ts";

export type ExportRow = Record<string, unknown>;

/** The athletes row as stored (every column). */
export async function athleteRowOf(tx: Transaction, athleteId: number): Promise<ExportRow | null> {
  const [row] = await tx.execute<ExportRow>(sql`select * from athletes where id = ${athleteId}`);
  return row ?? null;
}

/**
 * The table's rows naming the athlete, `pageSize` at a time, in storage order.
 * Needs a transaction (a cursor lives only inside one).
 */
export async function* athleteRowsOf(
  tx: Transaction,
  table: string,
  athleteId: number,
  pageSize = 500,
): AsyncGenerator<ExportRow[]> {
  if (!Number.isSafeInteger(athleteId)) throw new Error("athleteId must be an integer");
  const cursor = sql.identifier(`export_${table}`);
  await tx.execute(
    sql`declare ${cursor} no scroll cursor for select * from ${sql.identifier(table)} where athlete_id = ${sql.raw(String(athleteId))}`,
  );
  try {
    for (;;) {
      const page = await tx.execute<ExportRow>(
        sql`fetch forward ${sql.raw(String(pageSize))} from ${cursor}`,
      );
      if (page.length === 0) return;
      yield [...page];
      if (page.length < pageSize) return;
    }
  } finally {
    await tx.execute(sql`close ${cursor}`);
  }
}

/** Webhook inbox rows naming the athlete's Strava owner id or Garmin user id. */
export async function inboxRowsOf(tx: Transaction, athleteId: number): Promise<ExportRow[]> {
  return [
    ...(await tx.execute<ExportRow>(sql`
      select e.* from webhook_events e
      join provider_connections c
        on c.provider = e.provider and c.external_athlete_id = e.external_athlete_id
      where c.athlete_id = ${athleteId}
      order by e.id`)),
  ];
}
