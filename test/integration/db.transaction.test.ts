// withTransaction: a repository that needs a transaction (insertPlanVersionOn's
// per-athlete lock lasts only inside one) opens its own, or joins the caller's.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isTransaction, withTransaction } from "../../src/db/client.ts";
import { useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv();

const backendTxId = async (db: Parameters<typeof withTransaction>[0]) => {
  const rows = await db.execute<{ id: string }>(sql`select txid_current()::text as id`);
  return rows[0]?.id;
};

describe("withTransaction", () => {
  it("opens a transaction when given the database", async () => {
    expect(isTransaction(env.pool.db)).toBe(false);
    const seen = await withTransaction(env.pool.db, async (tx) => isTransaction(tx));
    expect(seen).toBe(true);
  });

  it("joins the caller's transaction instead of opening another", async () => {
    await env.pool.db.transaction(async (outer) => {
      const outerId = await backendTxId(outer);
      await withTransaction(outer, async (tx) => {
        expect(tx).toBe(outer);
        expect(await backendTxId(tx)).toBe(outerId);
      });
    });
  });

  it("rolls back with the caller's transaction", async () => {
    await env.pool.db.execute(sql`create table tx_probe (n int)`);
    await expect(
      env.pool.db.transaction(async (outer) => {
        await withTransaction(outer, (tx) => tx.execute(sql`insert into tx_probe values (1)`));
        throw new Error("caller gives up");
      }),
    ).rejects.toThrow("caller gives up");
    const rows = await env.pool.db.execute<{ n: number }>(sql`select count(*)::int as n from tx_probe`);
    expect(rows[0]?.n).toBe(0);
  });
});
