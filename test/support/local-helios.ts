// Starts Helios locally the way `npm start` does (wrangler dev: workerd with
// local D1, R2 and Queues), in its own state directory and on its own port,
// for end-to-end, browser and load tests. Stops the whole process group.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKey, hashKey } from "../../worker/src/auth/keys";

/** A running local Helios. */
export interface LocalHelios {
  url: string;
  /** A read+write key for `tenant`. */
  key: string;
  tenant: string;
  /** The --persist-to directory (local D1, R2 and queue state). */
  stateDir: string;
  /** Stops wrangler dev and removes the state directory. */
  stop(): Promise<void>;
}

const root = join(import.meta.dirname, "..", "..");
const wrangler = join(root, "node_modules", ".bin", "wrangler");

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** Starts wrangler dev with fresh local state, migrations applied and one API key. */
export async function startLocalHelios(
  opts: {
    tenant?: string;
    vars?: Record<string, string>;
    /** False runs the Worker without wrangler dev's devtools inspector (./start-worker.mjs), for load tests. */
    inspector?: boolean;
  } = {},
): Promise<LocalHelios> {
  const tenant = opts.tenant ?? "e2e";
  const state = mkdtempSync(join(tmpdir(), "helios-e2e-"));
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };
  const run = (args: string[]) => execFileSync(wrangler, args, { cwd: root, env, stdio: "pipe" });
  run(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state]);
  const { id, key } = generateKey();
  run([
    "d1",
    "execute",
    "DB",
    "--local",
    "--persist-to",
    state,
    "--command",
    `INSERT INTO api_keys (id, tenant, name, hash, scopes, created_at) VALUES ('${id}', '${tenant}', 'e2e', '${await hashKey(key)}', 'read,write', ${Date.now()})`,
  ]);
  const port = await freePort();
  const varArgs = Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const [command, args] =
    opts.inspector === false
      ? [process.execPath, [join(import.meta.dirname, "start-worker.mjs"), String(port), state, JSON.stringify(opts.vars ?? {})]]
      : [wrangler, ["dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--inspector-port", "0", "--test-scheduled", ...varArgs]];
  const child: ChildProcess = spawn(command, args, { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    rmSync(state, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer /health within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, key, tenant, stateDir: state, stop };
}
