import { ensureTemplate } from "./databases.ts";

// Runs once per `vitest run`: builds the migrated template database each
// integration test file copies.
export default async function setup(): Promise<void> {
  await ensureTemplate();
}
