// Applies the D1 migrations to the test database before each test file, as
// `npm start` does for the local database.
import { applyD1Migrations, env } from "cloudflare:test";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
