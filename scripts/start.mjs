// `npm start`: Helios on http://localhost:8787 under wrangler dev (workerd
// with local D1, R2 and Queues). wrangler dev does not fire cron triggers on
// its own, so this script fires the Worker's crons on schedule through
// wrangler's local scheduled-handler endpoint: windows close and are scored,
// forecasts and recommendations refresh, retention runs, as when deployed.
import { execFileSync, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 8787);
const bin = (name) => join(root, "node_modules", ".bin", name);

execFileSync(process.execPath, [join(root, "scripts", "ensure.mjs")], { cwd: root, stdio: "inherit" });
execFileSync(bin("tsx"), [join(root, "scripts", "dev-key.ts")], { cwd: root, stdio: "inherit" });

const wrangler = spawn(bin("wrangler"), ["dev", "--port", String(port), "--ip", "127.0.0.1", "--test-scheduled", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});

/** The crons of wrangler.toml that are due at `t` (UTC), in the Worker's own expressions. */
function dueCrons(t) {
  const d = new Date(t);
  const due = ["* * * * *"];
  if (d.getUTCMinutes() % 15 === 0) due.push("*/15 * * * *");
  if (d.getUTCHours() === 3 && d.getUTCMinutes() === 30) due.push("30 3 * * *");
  return due;
}

async function fire(t) {
  for (const cron of dueCrons(t)) {
    // wrangler's --test-scheduled endpoint; the handler sees the time of the call as its scheduled time.
    const url = `http://127.0.0.1:${port}/__scheduled?cron=${encodeURIComponent(cron)}`;
    try {
      const res = await fetch(url);
      if (!res.ok) console.error(`[helios] cron "${cron}" answered ${res.status}`);
    } catch {
      // wrangler is still starting or restarting: the next minute fires again
    }
  }
}

let timer;
function schedule() {
  const next = Math.floor(Date.now() / 60_000 + 1) * 60_000;
  timer = setTimeout(async () => {
    await fire(next);
    schedule();
  }, next - Date.now() + 50);
}
schedule();

for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => wrangler.kill(sig));
wrangler.on("exit", (code) => {
  clearTimeout(timer);
  process.exit(code ?? 0);
});
