// `npm run bench:ingest`: starts Helios locally, sends batches of 1,000
// events over 127.0.0.1 for a fixed time at a fixed concurrency, waits until
// the ingest queue has drained into D1, and checks that the stored windows add
// up to exactly the accepted events. The last line is one JSON object.
//
//   npm run bench:ingest -- [--seconds 20] [--concurrency 16] [--batch 1000] [--inspector]
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startLocalHelios } from "../test/support/local-helios";
import { benchBody } from "./ingest-body";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    concurrency: { type: "string", default: "16" },
    batch: { type: "string", default: "1000" },
    "drain-timeout": { type: "string", default: "300" },
    // wrangler dev's devtools inspector costs Node about as much CPU as the Worker under load: off by default.
    inspector: { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const batchSize = Number(values.batch);

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const helios = await startLocalHelios({ tenant: "bench", inspector: values.inspector });
try {
  const bodies = Array.from({ length: 32 }, (_, i) => benchBody(i, batchSize));
  const latencies: number[] = [];
  let accepted = 0;
  let failed = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      let n = w;
      while (performance.now() < deadline) {
        const body = bodies[n++ % bodies.length]!;
        const start = performance.now();
        const res = await fetch(`${helios.url}/api/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${helios.key}`, "content-type": "application/json" },
          body,
        });
        const text = await res.text();
        latencies.push(performance.now() - start);
        if (res.status === 202) accepted += (JSON.parse(text) as { accepted: number }).accepted;
        else if (failed++ === 0) console.error(`first refused request: ${res.status} ${text.slice(0, 300)}`);
      }
    }),
  );
  const sendSeconds = (performance.now() - t0) / 1000;

  // Wait for the queue to drain: the consumer's stored counter (/metrics, bumped after each merge
  // commits) reaches the accepted total or stops moving. Polling it over HTTP is cheap; a
  // `wrangler d1 execute` per poll took seconds of CPU from the Worker it was waiting for.
  const storedCounter = async () => {
    const text = await (await fetch(`${helios.url}/metrics`)).text();
    const m = /^helios_ingest_stored_total\{kind="events"\} (\d+)/m.exec(text);
    return m ? Number(m[1]) : 0;
  };
  const drainDeadline = Date.now() + Number(values["drain-timeout"]) * 1000;
  let drainedAt = performance.now();
  for (let last = -1, lastChange = Date.now(); ; ) {
    const n = await storedCounter();
    if (n !== last) [last, lastChange, drainedAt] = [n, Date.now(), performance.now()];
    if (n >= accepted || Date.now() > drainDeadline || Date.now() - lastChange > 30_000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // The figures come from the windows themselves: the sum of stored counts in D1.
  const stored = () => {
    const out = execFileSync(
      join("node_modules", ".bin", "wrangler"),
      ["d1", "execute", "DB", "--local", "--persist-to", helios.stateDir, "--json", "--command",
        "SELECT COALESCE(SUM(w.count), 0) AS n FROM windows w JOIN series s ON s.id = w.series_id WHERE s.tenant = 'bench' AND w.resolution = 60000"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    return Number((JSON.parse(out) as { results: { n: number }[] }[])[0]!.results[0]!.n);
  };
  const total = stored();
  const processSeconds = (drainedAt - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const summary = {
    accepted_events_per_s: Math.round(accepted / sendSeconds),
    processed_events_per_s: Math.round(total / processSeconds),
    p50_ms: Number(quantile(latencies, 0.5).toFixed(1)),
    p99_ms: Number(quantile(latencies, 0.99).toFixed(1)),
    accepted,
    stored: total,
    lost: Math.max(0, accepted - total),
    double_counted: Math.max(0, total - accepted),
  };
  console.log(
    `sent ${latencies.length} requests of ${batchSize} events at concurrency ${concurrency} for ${sendSeconds.toFixed(1)} s (${failed} not accepted); drained in ${processSeconds.toFixed(1)} s`,
  );
  console.log(JSON.stringify(summary));
} finally {
  await helios.stop();
}
