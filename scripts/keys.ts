// `npm run keys -- <command>`: manage API keys in the local D1 database (or
// the deployed one with --remote). Keys are stored hashed; a new key is
// printed once.
//
//   create --tenant NAME [--name LABEL] [--scopes read,write] [--remote]
//   list   [--tenant NAME] [--remote]
//   revoke --id KEY_ID [--remote]
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { generateKey, hashKey, parseScopes, TENANT_PATTERN } from "../worker/src/auth/keys";

const USAGE = `usage: npm run keys -- create --tenant NAME [--name LABEL] [--scopes read,write] [--remote]
       npm run keys -- list [--tenant NAME] [--remote]
       npm run keys -- revoke --id KEY_ID [--remote]`;

/** Runs SQL against D1 through wrangler and returns the result rows. */
export function d1(sql: string, remote = false): Record<string, unknown>[] {
  const out = execFileSync(
    "npx",
    ["wrangler", "d1", "execute", "DB", remote ? "--remote" : "--local", "--json", "--command", sql],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  const parsed = JSON.parse(out) as { results: Record<string, unknown>[] }[];
  return parsed.flatMap((p) => p.results ?? []);
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Creates a key and returns it with its id. */
export async function createKey(tenant: string, name: string, scopes: string, remote = false) {
  if (!TENANT_PATTERN.test(tenant)) throw new Error(`tenant must match ${TENANT_PATTERN}`);
  const parsedScopes = parseScopes(scopes);
  const { id, key } = generateKey();
  const hash = await hashKey(key);
  d1(
    `INSERT INTO api_keys (id, tenant, name, hash, scopes, created_at) VALUES (${quote(id)}, ${quote(tenant)}, ${quote(name)}, ${quote(hash)}, ${quote(parsedScopes.join(","))}, ${Date.now()})`,
    remote,
  );
  return { id, key, tenant, scopes: parsedScopes };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      tenant: { type: "string" },
      name: { type: "string" },
      scopes: { type: "string", default: "read,write" },
      id: { type: "string" },
      remote: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (command === "create") {
    if (!values.tenant) throw new Error("--tenant is required");
    const k = await createKey(values.tenant, values.name ?? "cli", values.scopes!, values.remote);
    console.log(`created ${k.id} for tenant ${k.tenant} (${k.scopes.join(",")}); the key is shown only now:\n${k.key}`);
    return 0;
  }
  if (command === "list") {
    const where = values.tenant ? `WHERE tenant = ${quote(values.tenant)}` : "";
    const rows = d1(`SELECT id, tenant, name, scopes, created_at, revoked_at FROM api_keys ${where} ORDER BY created_at`, values.remote);
    for (const r of rows) {
      const state = r.revoked_at ? "revoked" : "active";
      console.log(`${r.id}\t${r.tenant}\t${r.name}\t${r.scopes}\t${new Date(Number(r.created_at)).toISOString()}\t${state}`);
    }
    if (rows.length === 0) console.log("no keys");
    return 0;
  }
  if (command === "revoke") {
    if (!values.id) throw new Error("--id is required");
    d1(`UPDATE api_keys SET revoked_at = ${Date.now()} WHERE id = ${quote(values.id)} AND revoked_at IS NULL`, values.remote);
    console.log(`revoked ${values.id}`);
    return 0;
  }
  throw new Error(`unknown command "${command}"\n${USAGE}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
