// A bench-only Worker (bench/cases/onnx.ts starts it with wrangler's
// unstable_dev): the Worker's own onnxruntime glue and scorer, timed from
// outside because workerd's clocks only advance on I/O.
//   GET /noop   the round trip to subtract
//   GET /load   creates a session (the first call in an isolate is the cold start)
//   GET /score  features and scores for BENCH_WINDOWS windows with the loaded session
import { computeModelFeatures, ROLLING_HISTORY } from "../../models/contract";
import { WindowModel } from "../../models/runtime/score";
import { getEngine } from "../../worker/src/engine";
import { getOrt } from "../../worker/src/models/ort";
import { BENCH_SERIES, BENCH_WINDOWS, benchModel } from "./onnx-bench-fixture";

let model: WindowModel | undefined;

export default {
  async fetch(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (path === "/load") {
      const { bytes, card } = await benchModel();
      await model?.release();
      model = await WindowModel.load(await getOrt(), card, bytes);
      return Response.json({ ok: true });
    }
    if (path === "/score") {
      if (!model) return new Response("load first", { status: 409 });
      const names = model.card.inputs;
      const features = computeModelFeatures(await getEngine(), BENCH_SERIES, names).subarray(ROLLING_HISTORY * names.length);
      const scores = await model.score(features, BENCH_WINDOWS);
      let sum = 0;
      for (const s of scores) sum += s;
      return Response.json({ n: scores.length, sum });
    }
    return new Response("ok");
  },
};
