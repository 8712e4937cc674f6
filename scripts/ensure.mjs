// The pre-step of `npm start` and `npm test`: makes a fresh clone runnable.
// Installs dependencies when node_modules is missing or older than the lock
// file, rebuilds the engine when its sources changed, regenerates the
// Worker's Env types from wrangler.toml, and applies local D1 migrations.
// Each step is skipped when already up to date, so repeated runs are fast.
import { execFileSync, execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const at = (...p) => join(root, ...p);
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const run = (cmd) => execSync(cmd, { cwd: root, stdio: "inherit" });

/** Newest modification time among the files under `dir`. */
function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const quiet = process.argv.includes("--quiet");
const log = (m) => quiet || console.log(`[helios] ${m}`);

// 1. Dependencies.
const marker = at("node_modules", ".package-lock.json");
if (!existsSync(marker) || mtime(marker) < mtime(at("package-lock.json"))) {
  log("installing dependencies (npm ci)");
  run("npm ci --no-audit --no-fund");
}

// 2. Engine builds.
const built = Math.min(mtime(at("engine/build/release.wasm")), mtime(at("engine/build/debug.wasm")));
if (built < Math.max(newest(at("engine/assembly")), mtime(at("scripts/build-engine.mjs")))) {
  log("building the engine");
  execFileSync(process.execPath, [at("scripts/build-engine.mjs")], { cwd: root, stdio: "inherit" });
}

// 3. The dashboard, served by the Worker as static assets.
const webBuilt = mtime(at("web/dist/index.html"));
if (webBuilt < Math.max(newest(at("web", "src")), mtime(at("web", "index.html")), mtime(at("engine/build/release.wasm")), mtime(at("vite.config.ts")))) {
  log("building the dashboard (vite build)");
  run("npx vite build --logLevel warn");
}

// 4. Worker Env types, generated from wrangler.toml.
const envTypes = at("worker/worker-configuration.d.ts");
if (mtime(envTypes) < mtime(at("wrangler.toml"))) {
  log("generating worker Env types (wrangler types)");
  run("npx wrangler types --strict-vars false worker/worker-configuration.d.ts > /dev/null");
}

// 5. Local D1 migrations (the database `npm start` uses; tests apply their own).
const migrations = at("worker/migrations");
const hasMigrations = existsSync(migrations) && readdirSync(migrations).some((f) => f.endsWith(".sql"));
const stamp = at(".wrangler", "state", "migrations.stamp");
if (hasMigrations && mtime(stamp) < newest(migrations)) {
  log("applying local D1 migrations");
  run("npx wrangler d1 migrations apply DB --local > /dev/null");
  run(`mkdir -p .wrangler/state && touch ${JSON.stringify(stamp)}`);
}
