import { defineConfig } from "drizzle-kit";

// Only used by `npm run db:generate` to write SQL migrations from src/db/schema;
// the service applies them with `runstrong migrate`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema/index.ts",
  out: "./migrations",
});
