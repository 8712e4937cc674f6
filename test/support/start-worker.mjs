// Runs the Worker the way `wrangler dev` does (wrangler's own bundling and
// local D1, R2 and Queues in workerd) through wrangler's startWorker API, with
// the devtools inspector off. Under load, wrangler dev's inspector forwards
// about a dozen debugger messages per request to Node, which then took as much
// CPU as the Worker did; the load benchmark measures the Worker, not that.
//
//   node test/support/start-worker.mjs <port> <persist dir> [vars as JSON]
import { unstable_startWorker } from "wrangler";

const [port, persist, vars = "{}"] = process.argv.slice(2);
const worker = await unstable_startWorker({
  config: new URL("../../wrangler.toml", import.meta.url).pathname,
  bindings: Object.fromEntries(Object.entries(JSON.parse(vars)).map(([k, value]) => [k, { type: "plain_text", value }])),
  dev: {
    inspector: false,
    server: { hostname: "127.0.0.1", port: Number(port) },
    persist,
    logLevel: "warn",
    testScheduled: true,
    watch: false,
    liveReload: false,
  },
});
await worker.ready;
const stop = async () => {
  await worker.dispose();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
