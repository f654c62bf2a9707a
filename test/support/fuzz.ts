// What the fuzz tests share: JSON values, mutations of a valid JSON document, and
// the check that a refusal is the API's JSON error.
import fc from "fast-check";
import { expect } from "vitest";

/** Any JSON value, with the awkward numbers (huge, negative, fractional) and strings included. */
export const jsonValue: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const awkward: fc.Arbitrary<unknown> = fc.oneof(
  jsonValue,
  fc.constantFrom(
    null,
    "",
    -1,
    0,
    1e308,
    2 ** 53 + 1,
    -(2 ** 63),
    "9".repeat(40),
    "\u0000",
    "'; drop table athletes; --",
    [],
    {},
    true,
  ),
);

/** Paths of every node of a JSON document (objects' keys, arrays' indexes). */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) out.push(...paths(x, [...at, i]));
  } else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function mutate(
  doc: unknown,
  path: (string | number)[],
  op: "replace" | "delete" | "add",
  value: unknown,
  key: string,
): unknown {
  if (path.length === 0) {
    if (op === "add" && doc && typeof doc === "object" && !Array.isArray(doc))
      return { ...doc, [key]: value };
    return op === "delete" ? undefined : value;
  }
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(doc)) {
    const copy = [...doc];
    const next = mutate(copy[head as number], rest, op, value, key);
    if (next === undefined) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  const obj = { ...(doc as Record<string, unknown>) };
  const next = mutate(obj[head as string], rest, op, value, key);
  if (next === undefined) delete obj[head as string];
  else obj[head as string] = next;
  return obj;
}

/** JSON text of a document from `valid` with one to three of its nodes replaced, deleted or added to. */
export function mutatedJson(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const step = fc.record({
    pick: fc.nat(),
    op: fc.constantFrom("replace" as const, "delete" as const, "add" as const),
    value: awkward,
    key: fc.string({ maxLength: 10 }),
  });
  return fc.tuple(valid, fc.array(step, { minLength: 1, maxLength: 3 })).map(([doc, steps]) => {
    let d: unknown = doc;
    for (const s of steps) {
      const all = paths(d);
      d = mutate(d, all[s.pick % all.length] ?? [], s.op, s.value, s.key);
    }
    return d === undefined ? "" : JSON.stringify(d as Json);
  });
}

/** Asserts the response is the API's JSON error and returns it. */
export async function expectJsonError(
  res: Response,
): Promise<{ code: string; message: string; requestId: string }> {
  expect(res.headers.get("content-type") ?? "").toMatch(/application\/json/);
  const body = (await res.json()) as { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
  expect(body.error).toEqual({
    code: expect.any(String),
    message: expect.any(String),
    requestId: expect.any(String),
    ...(body.error && "details" in body.error ? { details: expect.anything() } : {}),
  });
  return body.error as { code: string; message: string; requestId: string };
}
