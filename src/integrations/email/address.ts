import { z } from "zod";

/** An address the athlete types: one mailbox, no display name, at most 254 characters (RFC 5321). */
export const emailAddress = z
  .string()
  .trim()
  .max(254, "at most 254 characters")
  .pipe(z.email({ message: "expected an email address, e.g. runner@example.org" }))
  .transform((v) => v.toLowerCase());
