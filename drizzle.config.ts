// drizzle-kit generates SQL migrations from worker/src/db/schema.ts into the
// folder wrangler.toml names as migrations_dir; wrangler and the tests apply them.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/src/db/schema.ts",
  out: "./worker/migrations",
});
