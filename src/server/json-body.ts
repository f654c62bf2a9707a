// Request bodies, read one way for every route: a body that is not JSON is a 400
// bad_request; one that breaks the route's schema is a 400 validation_failed
// naming each bad field.
import type { z } from "zod";
import { AppError } from "./errors.ts";

type JsonRequest = { req: { json: () => Promise<unknown> } };

/** The body as JSON, not yet validated (for a verb that validates it field by field itself). */
export async function readJson(c: JsonRequest): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new AppError("bad_request", "the body must be JSON (Content-Type: application/json)");
  }
}

/** The body as JSON, parsed with `schema`. */
export async function jsonBody<T>(c: JsonRequest, schema: z.ZodType<T>): Promise<T> {
  const parsed = schema.safeParse(await readJson(c));
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => ({ field: k, message: "unknown field" }))
      : [{ field: i.path.map(String).join(".") || "(body)", message: i.message }],
  );
  throw new AppError("validation_failed", fields.map((f) => `${f.field}: ${f.message}`).join("; "), {
    fields,
  });
}
