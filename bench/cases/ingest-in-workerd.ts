// The ingest-validate bodies inside workerd, where the Worker runs them: JSON.parse and
// validateItems (canonical items on the ajv-generated fast path) vs the valibot path alone,
// per 1,000-item request, and each validating items parsed once. workerd's clocks stand still between I/O, so each figure is a
// round trip of REPS requests' worth of work measured from here, less an empty round trip.
import { join } from "node:path";
import { unstable_dev } from "wrangler";
import { type BenchRow, higherIsBetter } from "../harness";
import { benchBody } from "../ingest-body";
import { sampleBody, withMetadata } from "./ingest-validate";

const REPS = 40;
const ROUNDS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function (): Promise<BenchRow[]> {
  const dir = join(import.meta.dirname, "..", "workerd");
  const worker = await unstable_dev(join(dir, "ingest-validate-worker.ts"), { config: join(dir, "wrangler.toml"), ip: "127.0.0.1", logLevel: "warn", experimental: { disableExperimentalWarning: true } });
  const rows: BenchRow[] = [];
  try {
    const call = async (p: string, init?: { method: string; body: string }) => {
      const r = await worker.fetch(p, init);
      if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
      return (await r.json()) as unknown;
    };
    const ms = async (p: string) => {
      const t0 = performance.now();
      await call(p);
      return performance.now() - t0;
    };
    for (const [label, kind, text] of [
      ["ingest validation in workerd, 1,000 events (JSON.parse included)", "events", benchBody(1)],
      ["same in workerd, every event with metadata", "events", withMetadata(benchBody(1))],
      ["same in workerd, 1,000 metric samples with 3 labels", "metrics", sampleBody()],
    ] as const) {
      await call(`/body?kind=${kind}`, { method: "PUT", body: text });
      const paths = {
        noop: "/noop",
        parse: `/run?fn=parse&reps=${REPS}`,
        fast: `/run?fn=fast&reps=${REPS}`,
        valibot: `/run?fn=valibot&reps=${REPS}`,
        fastOnly: `/run?fn=fast&parsed=1&reps=${REPS}`,
        valibotOnly: `/run?fn=valibot&parsed=1&reps=${REPS}`,
      };
      const names = Object.keys(paths) as (keyof typeof paths)[];
      const times = Object.fromEntries(names.map((f) => [f, [] as number[]])) as Record<keyof typeof paths, number[]>;
      for (const f of names) await ms(paths[f]); // warm up
      // In turns, so the machine's changing load weighs on each alike.
      for (let round = 0; round < ROUNDS; round++) for (const f of names) times[f].push(await ms(paths[f]));
      const rt = median(times.noop);
      const perSecond = (f: keyof typeof paths) => (REPS * 1000) / ((median(times[f]) - rt) / 1000);
      const us = (f: keyof typeof paths) => Number((1e6 / perSecond(f)).toFixed(3));
      rows.push({
        ...higherIsBetter(label, kind === "events" ? "events/s" : "samples/s", perSecond("fast"), "valibot only, one array schema", perSecond("valibot")),
        // Validation alone: the same parsed items validated REPS times.
        notes: { json_parse_only_per_s: Math.round(perSecond("parse")), fast_path_validation_us_per_item: us("fastOnly"), valibot_validation_us_per_item: us("valibotOnly") },
      });
    }
  } finally {
    await worker.stop();
  }
  return rows;
}
