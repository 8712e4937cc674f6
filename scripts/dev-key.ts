// Run by `npm start`: makes sure the local database has a development key and
// prints it, so a newcomer can send events right away. The key is kept in
// .wrangler/state (local only, never committed) so it can be shown again.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hashKey } from "../worker/src/auth/keys";
import { createKey, d1 } from "./keys";

const file = ".wrangler/state/dev-api-key";
let key = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
if (key) {
  const hash = await hashKey(key);
  const rows = d1(`SELECT id FROM api_keys WHERE hash = '${hash}' AND revoked_at IS NULL`);
  if (rows.length === 0) key = ""; // the local database was reset
}
if (!key) {
  key = (await createKey("dev", "local development", "read,write")).key;
  mkdirSync(".wrangler/state", { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
}
console.log(`
[helios] local API key (tenant "dev"): ${key}
[helios] send a first event:
  curl -X POST http://localhost:8787/api/v1/events -H "Authorization: Bearer ${key}" \\
    -H "content-type: application/json" \\
    -d '{"service":"payment-service","level":"ERROR","message":"Database connection timeout","metadata":{"latency_ms":5000,"error_code":"DB_TIMEOUT","endpoint":"/api/payments"}}'
`);
