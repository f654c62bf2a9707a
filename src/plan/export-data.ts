// "Export my data": everything runstrong stores about the athlete as one JSON
// document, written piece by piece to `write` (the route streams it as a
// download), so a long history never sits in memory whole. Sections: the
// athletes row, one per athlete_id table (found from the schema, so a new table
// is never missed; an empty table is an empty list), and the webhook inbox rows
// naming the athlete's provider ids. Secrets are not exported: a sealed token or
// API key, the calendar feed token, a push subscription's auth secret (any
// column named like one, SECRET_COLUMN) is written as "present" or "absent", and
// the file says so. One read-only repeatable-read transaction: one consistent picture.
import { athleteTables } from "../db/repos/athlete-erasure.ts";
import { athleteRowOf, athleteRowsOf, type ExportRow, inboxRowsOf } from "../db/repos/athlete-export.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";

export const EXPORT_FORMAT = "runstrong-export/1";

/** Columns holding a secret, by name: sealed tokens and keys (*_enc), tokens and their hashes, secrets, push `auth`. */
export const SECRET_COLUMN = /(^|_)(enc|token|tokens|token_hash|secret|auth)$/;

export const SECRET_PRESENT = "present (a secret: not exported)";
export const SECRET_ABSENT = "absent";

const ABOUT =
  "Everything runstrong stores about you: your account row, then every table that holds rows of yours " +
  "(tables you have no rows in are listed empty), then the webhook events Strava or Garmin sent about you. " +
  `Secrets are not exported: sealed Strava and Garmin tokens, your intervals.icu API key, your calendar feed token and your browsers' push secrets appear as "${SECRET_PRESENT}" or "${SECRET_ABSENT}". ` +
  "Times are UTC unless a column says otherwise.";

/** The row with each secret column replaced by whether it holds a value. */
export function withoutSecrets(row: ExportRow): ExportRow {
  const out: ExportRow = {};
  for (const [column, value] of Object.entries(row))
    out[column] = SECRET_COLUMN.test(column) ? (value == null ? SECRET_ABSENT : SECRET_PRESENT) : value;
  return out;
}

export function exportFileName(now: Date): string {
  return `runstrong-export-${now.toISOString().slice(0, 10)}.json`;
}

const json = (value: unknown) => JSON.stringify(value);

/** Writes the export of `athleteId`; returns how many rows it held. */
export async function exportData(
  deps: PlanDeps,
  athleteId: number,
  write: (chunk: string) => Promise<void>,
): Promise<{ tables: number; rows: number }> {
  return deps.db.transaction(
    async (tx) => {
      const athlete = await athleteRowOf(tx, athleteId);
      if (!athlete) throw new PlanError("unknown_athlete", "this account no longer exists");
      let rows = 1;
      await write(
        `{"format":${json(EXPORT_FORMAT)},"exportedAt":${json(deps.now().toISOString())},"about":${json(ABOUT)},` +
          `"athlete":${json(withoutSecrets(athlete))},"tables":{`,
      );
      const tables = await athleteTables(tx);
      for (const [i, table] of tables.entries()) {
        await write(`${i > 0 ? "," : ""}${json(table)}:[`);
        let first = true;
        for await (const page of athleteRowsOf(tx, table, athleteId)) {
          await write((first ? "" : ",") + page.map((r) => json(withoutSecrets(r))).join(","));
          first = false;
          rows += page.length;
        }
        await write("]");
      }
      const inbox = await inboxRowsOf(tx, athleteId);
      rows += inbox.length;
      await write(`},"webhookEvents":[${inbox.map((r) => json(withoutSecrets(r))).join(",")}]}\n`);
      deps.logger.info({ athleteId, tables: tables.length, rows }, "data exported");
      return { tables: tables.length, rows };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}
