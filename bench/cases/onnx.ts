// ONNX window models: onnxruntime-web's cold start (the first session in an
// isolate, which instantiates the runtime's 14 MB WebAssembly module) and the
// time to compute features for and score 1,000 windows, in workerd (the
// Worker's own glue, bench/workerd/) and in Node. workerd's clocks stand still
// between I/O, so its times are round trips measured from here, less an empty
// round trip. The peer is the same work in Node.
import { join } from "node:path";
import { unstable_dev } from "wrangler";
import { loadEngine } from "../../engine/src/node";
import { computeModelFeatures, ROLLING_HISTORY } from "../../models/contract";
import { getOrt } from "../../models/runtime/ort-node";
import { WindowModel } from "../../models/runtime/score";
import type { BenchRow } from "../harness";
import { BENCH_SERIES, BENCH_WINDOWS, benchModel } from "../workerd/onnx-bench-fixture";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

export default async function onnxBench(): Promise<BenchRow[]> {
  const dir = join(import.meta.dirname, "..", "workerd");
  const worker = await unstable_dev(join(dir, "onnx-bench-worker.ts"), { config: join(dir, "wrangler.toml"), ip: "127.0.0.1", logLevel: "warn", experimental: { disableExperimentalWarning: true } });
  let w: { cold: number; load: number; score: number; sum: number };
  try {
    const get = async (p: string) => {
      const r = await worker.fetch(p);
      if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
      return r.text();
    };
    await get("/noop");
    const noop: number[] = [];
    for (let i = 0; i < 20; i++) noop.push(await timed(() => get("/noop")));
    const rt = median(noop);
    const cold = (await timed(() => get("/load"))) - rt;
    const loads: number[] = [];
    for (let i = 0; i < 5; i++) loads.push((await timed(() => get("/load"))) - rt);
    const scores: number[] = [];
    let sum = 0;
    for (let i = 0; i < 10; i++) scores.push((await timed(async () => (sum = (JSON.parse(await get("/score")) as { sum: number }).sum))) - rt);
    w = { cold, load: median(loads), score: median(scores), sum };
  } finally {
    await worker.stop();
  }

  const { bytes, card } = await benchModel();
  const engine = await loadEngine("release");
  const ort = getOrt();
  let model: WindowModel | undefined;
  const nodeCold = await timed(async () => (model = await WindowModel.load(ort, card, bytes)));
  const names = card.inputs;
  let nodeSum = 0;
  const nodeScores: number[] = [];
  for (let i = 0; i < 10; i++) {
    nodeScores.push(
      await timed(async () => {
        const features = computeModelFeatures(engine, BENCH_SERIES, names).subarray(ROLLING_HISTORY * names.length);
        nodeSum = (await model!.score(features, BENCH_WINDOWS)).reduce((a, b) => a + b, 0);
      }),
    );
  }
  await model!.release();
  const nodeScore = median(nodeScores);
  return [
    {
      case: "ONNX cold start: first session in a workerd isolate (100 trees)",
      unit: "ms",
      helios: w.cold,
      peer: "the same in Node",
      peer_value: nodeCold,
      ratio: nodeCold / w.cold,
      notes: { later_session_ms_workerd: Number(w.load.toFixed(1)) },
    },
    {
      case: "ONNX score 1,000 windows in workerd (features + 100 trees)",
      unit: "ms",
      helios: w.score,
      peer: "the same in Node",
      peer_value: nodeScore,
      ratio: nodeScore / w.score,
      notes: { same_scores: Math.abs(w.sum - nodeSum) < 1e-3 ? "yes" : `no (${w.sum} vs ${nodeSum})`, empty_round_trip_subtracted: "yes" },
    },
  ];
}
