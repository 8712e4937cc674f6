// Bring your own model, inside workerd: upload with validation, listing,
// activation per tenant, and the minute cron scoring closed windows with the
// active model next to the streaming detector.
import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { cardFor, customOperatorModel, linearModel, treeModel } from "../../test/support/onnx-models";
import { MAX_MODEL_BYTES } from "../../models/runtime/validate";
import type { AlertMessage } from "../src/alerts/types";
import type { AnomalyView, ModelsResponse } from "../src/api-types";
import type { IngestEvent } from "../src/ingest/schema";
import worker from "../src/index";
import { call, createTestKey } from "./helpers";

const MIN = 60_000;
const BASE = "http://helios.test/api/v1/models";

function form(bytes: Uint8Array, card: unknown): FormData {
  const f = new FormData();
  f.append("model", new Blob([bytes]), "model.onnx");
  f.append("card", typeof card === "string" ? card : JSON.stringify(card));
  return f;
}

async function upload(key: string, bytes: Uint8Array, card: unknown): Promise<Response> {
  return call(new Request(BASE, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: form(bytes, card) }));
}

async function list(key: string): Promise<ModelsResponse> {
  const res = await call(new Request(BASE, { headers: { authorization: `Bearer ${key}` } }));
  expect(res.status).toBe(200);
  return res.json();
}

async function post(key: string, path: string): Promise<Response> {
  return call(new Request(`${BASE}/${path}`, { method: "POST", headers: { authorization: `Bearer ${key}` } }));
}

async function stored(tenant: string): Promise<{ rows: number; objects: string[] }> {
  const r = await env.DB.prepare("SELECT COUNT(*) AS n FROM models WHERE tenant = ?").bind(tenant).first<{ n: number }>();
  const objects = (await env.ARCHIVE.list({ prefix: `models/${tenant}/` })).objects.map((o) => o.key);
  return { rows: r!.n, objects };
}

describe("model upload", () => {
  it("accepts a valid model, stores it in R2 and D1, lists it, and activates one version at a time", async () => {
    const key = await createTestKey("models-a");
    const features = ["error_rate", "latency_p99", "count.mean_12"];
    const bytes = linearModel({ features, weights: [4, 0.01, 0], bias: -3 });
    const card = await cardFor(bytes, { name: "error-logit", version: "1", inputs: features });
    const res = await upload(key, bytes, card);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { model: { name: string; active: boolean; sha256: string }; sample_scores: number[] };
    expect(body.model).toMatchObject({ name: "error-logit", active: false, sha256: card.sha256 });
    // Sample row 0 (window 12, after ROLLING_HISTORY = 12): 12 % 3 = 0 errors of 120 + (84 % 11 = 7) = 127 requests,
    // p99 = 4 x (40 + 12 % 4 = 0) = 160: 4 x 0 + 0.01 x 160 - 3 = -1.4; sigmoid = 0.19782.
    expect(body.sample_scores).toHaveLength(8);
    expect(body.sample_scores[0]).toBeCloseTo(1 / (1 + Math.exp(1.4)), 5);

    const objects = await stored("models-a");
    expect(objects.objects.sort()).toEqual(["models/models-a/error-logit/1/card.json", "models/models-a/error-logit/1/model.onnx"]);
    const file = await env.ARCHIVE.get("models/models-a/error-logit/1/model.onnx");
    expect(new Uint8Array(await file!.arrayBuffer())).toEqual(bytes);

    // A tree ensemble with class probabilities [N, 2]: every sample window has error rate <= 0.5, so P = 0.2.
    const tree = treeModel({ features: ["error_rate"] });
    const treeCard = await cardFor(tree, { name: "stump", version: "2026.12.1", inputs: ["error_rate"], outputName: "probabilities", opsets: [{ domain: "", version: 17 }, { domain: "ai.onnx.ml", version: 3 }] });
    const treeRes = await upload(key, tree, treeCard);
    expect(treeRes.status).toBe(201);
    expect(((await treeRes.json()) as { sample_scores: number[] }).sample_scores).toEqual(Array(8).fill(Math.fround(0.2)));

    let l = await list(key);
    expect(l.models.map((m) => `${m.name}@${m.version}`)).toEqual(["error-logit@1", "stump@2026.12.1"]);
    expect(l.active).toBeNull();

    expect((await post(key, "error-logit/1/activate")).status).toBe(200);
    l = await list(key);
    expect(l.active).toEqual({ name: "error-logit", version: "1" });
    expect((await post(key, "stump/2026.12.1/activate")).status).toBe(200);
    l = await list(key);
    expect(l.active).toEqual({ name: "stump", version: "2026.12.1" });
    expect(l.models.filter((m) => m.active).map((m) => m.name)).toEqual(["stump"]);
    expect((await post(key, "stump/2026.12.1/deactivate")).status).toBe(200);
    expect((await list(key)).active).toBeNull();

    // Versions are immutable: the same name and version again is a conflict, and the stored file is untouched.
    const again = linearModel({ features, weights: [1, 1, 1], bias: 0 });
    const dup = await upload(key, again, await cardFor(again, { name: "error-logit", version: "1", inputs: features }));
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as { error: { code: string } }).error.code).toBe("model_exists");
    const still = await env.ARCHIVE.get("models/models-a/error-logit/1/model.onnx");
    expect(new Uint8Array(await still!.arrayBuffer())).toEqual(bytes);
  });

  it("rejects each bad model with its own code and stores nothing", async () => {
    const tenant = "models-bad";
    const key = await createTestKey(tenant);
    const features = ["count", "error_rate"];
    const good = linearModel({ features, weights: [1, 1], bias: 0 });
    const reject = async (bytes: Uint8Array, card: unknown, status: number, code: string) => {
      const res = await upload(key, bytes, card);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect([res.status, body.error.code], body.error.message).toEqual([status, code]);
    };
    const truncated = good.subarray(0, Math.floor(good.length / 2));
    await reject(truncated, await cardFor(truncated, { name: "m", version: "1", inputs: features }), 422, "model_unreadable");
    const garbage = new TextEncoder().encode("this is not an onnx model at all");
    await reject(garbage, await cardFor(garbage, { name: "m", version: "1", inputs: features }), 422, "model_unreadable");

    await reject(good, await cardFor(good, { name: "m", version: "1", inputs: ["count", "cpu_utilization"] }), 422, "model_unknown_input");
    // The graph takes 3 columns; the card names 2.
    const wide = linearModel({ features, width: 3, weights: [1, 1, 1], bias: 0 });
    await reject(wide, await cardFor(wide, { name: "m", version: "1", inputs: features }), 422, "model_input_shape");

    // An operator of a domain onnxruntime-web does not have, and an ai.onnx operator it has no kernel for.
    const custom = customOperatorModel(2, "FancyScore", "com.example");
    await reject(custom, await cardFor(custom, { name: "m", version: "1", inputs: features, opsets: [{ domain: "", version: 17 }, { domain: "com.example", version: 1 }] }), 422, "model_unsupported_operator");
    const unknownOp = customOperatorModel(2, "NotAnOperator", "");
    await reject(unknownOp, await cardFor(unknownOp, { name: "m", version: "1", inputs: features }), 422, "model_unsupported_operator");

    const oversized = new Uint8Array(MAX_MODEL_BYTES + 512 * 1024);
    await reject(oversized, await cardFor(good, { name: "m", version: "1", inputs: features }), 413, "model_too_large");

    await reject(good, { ...(await cardFor(good, { name: "m", version: "1", inputs: features })), sha256: "0".repeat(64) }, 422, "model_checksum_mismatch");
    await reject(good, { ...(await cardFor(good, { name: "m", version: "1", inputs: features })), name: "Not A Name" }, 422, "card_invalid");
    await reject(good, "{not json", 422, "card_invalid");
    await reject(good, await cardFor(good, { name: "m", version: "1", inputs: features, outputName: "probabilities" }), 422, "model_output_shape");
    // Runs, but gives [N] int64 labels rather than float32 scores.
    const tree = treeModel({ features });
    await reject(tree, await cardFor(tree, { name: "m", version: "1", inputs: features, outputName: "label", opsets: [{ domain: "", version: 17 }, { domain: "ai.onnx.ml", version: 3 }] }), 422, "model_output_shape");

    // Not the documented shape: a JSON body, and a form without its card.
    const json = await call(new Request(BASE, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: "{}" }));
    expect([json.status, ((await json.json()) as { error: { code: string } }).error.code]).toEqual([415, "unsupported_media_type"]);
    const noCard = new FormData();
    noCard.append("model", new Blob([good]), "model.onnx");
    const missing = await call(new Request(BASE, { method: "POST", headers: { authorization: `Bearer ${key}` }, body: noCard }));
    expect([missing.status, ((await missing.json()) as { error: { code: string } }).error.code]).toEqual([400, "validation_failed"]);

    expect(await stored(tenant)).toEqual({ rows: 0, objects: [] });
  });

  it("needs the write scope to upload, and confines models to their tenant", async () => {
    const reader = await createTestKey("models-c", ["read"]);
    const owner = await createTestKey("models-c");
    const other = await createTestKey("models-d");
    const bytes = linearModel({ features: ["count"], weights: [0], bias: 0 });
    const card = await cardFor(bytes, { name: "mine", version: "1", inputs: ["count"] });
    const denied = await upload(reader, bytes, card);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect(await stored("models-c")).toEqual({ rows: 0, objects: [] });

    expect((await upload(owner, bytes, card)).status).toBe(201);
    expect((await list(reader)).models.map((m) => m.name)).toEqual(["mine"]);
    expect((await post(reader, "mine/1/activate")).status).toBe(403);
    expect((await list(other)).models).toEqual([]);
    const theirs = await post(other, "mine/1/activate");
    expect(theirs.status).toBe(404);
    expect(((await theirs.json()) as { error: { code: string } }).error.code).toBe("not_found");
    expect((await list(owner)).active).toBeNull();
  });
});

describe("window scoring with the active model", () => {
  it("scores closed windows with the model's features and lets the model alone raise an anomaly", async () => {
    const tenant = "models-score";
    const key = await createTestKey(tenant);
    const T0 = Date.UTC(2026, 10, 23, 9, 0);
    // score = sigmoid(0.1 x (count - count.mean_3)).
    const features = ["count", "count.mean_3"];
    const bytes = linearModel({ features, weights: [0.1, -0.1], bias: 0 });
    expect((await upload(key, bytes, await cardFor(bytes, { name: "count-jump", version: "1", inputs: features }))).status).toBe(201);
    expect((await post(key, "count-jump/1/activate")).status).toBe(200);

    // 10 minutes of 10 events a minute with a little latency jitter.
    const items: IngestEvent[] = [];
    for (let m = 0; m < 10; m++) for (let k = 0; k < 10; k++) items.push({ ts: T0 + m * MIN + k * 5000, service: "ledger", level: "INFO", message: "", latency_ms: 50 + ((m * 10 + k) % 7) });
    const batch = createMessageBatch("helios-ingest", [{ id: "ms-1", timestamp: new Date(), attempts: 1, body: { v: 1, id: "ms-1", tenant, kind: "events", received_at: T0, items } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);

    const sent: AlertMessage[] = [];
    const capture = { send: async (b: AlertMessage) => void sent.push(b), sendBatch: async (ms: Iterable<{ body: AlertMessage }>) => void sent.push(...[...ms].map((m) => m.body)) } as unknown as Queue;
    // At T0 + 12.5 min with 120 s lateness, minutes 0..9 close.
    await worker.scheduled(createScheduledController({ scheduledTime: T0 + 12.5 * MIN, cron: "* * * * *" }), { ...env, ALERTS_QUEUE: capture, MODEL_THRESHOLD: "0.6" }, createExecutionContext());

    const { results } = await env.DB.prepare("SELECT w.start, w.score, w.model_score FROM windows w JOIN series s ON s.id = w.series_id WHERE s.tenant = ? AND w.resolution = 60000 ORDER BY w.start")
      .bind(tenant)
      .all<{ start: number; score: number; model_score: number }>();
    expect(results).toHaveLength(10);
    // The minutes before the first window had no events, so they count as 0:
    // minute 0: mean_3 of (0, 0, 10) = 10/3, 0.1 x (10 - 10/3) = 2/3, sigmoid = 0.66077;
    // minute 1: mean_3 of (0, 10, 10) = 20/3, x = 1/3, sigmoid = 0.58257; from minute 2 on: x = 0, 0.5.
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    const expected = [sigmoid(2 / 3), sigmoid(1 / 3), ...Array(8).fill(0.5)];
    results.forEach((r, i) => expect(r.model_score).toBeCloseTo(expected[i]!, 6));

    // Only minute 0 reaches MODEL_THRESHOLD 0.6. The detector decides with its alarm, which is 0 for a
    // series' first 16 points (see DetectionBatch.alarms), so over these 10 minutes the model alone fires.
    const anomalies = sent.flatMap((m) => (m.kind === "anomaly" ? [m.anomaly] : []));
    const byModel = anomalies.filter((a) => a.fired_by === "model" || a.fired_by === "both");
    expect(byModel.map((a) => a.window_start)).toEqual([T0]);
    expect(byModel[0]!.fired_by).toBe("model");
    expect(byModel[0]!.model!.name).toBe("count-jump");
    expect(byModel[0]!.model!.score).toBeCloseTo(sigmoid(2 / 3), 6);
    expect(anomalies.map((a) => a.window_start)).toEqual([T0]);

    // The alerts consumer records which fired, and /anomalies says so.
    const alerts = createMessageBatch("helios-alerts", sent.map((body, i) => ({ id: `ms-alert-${i}`, timestamp: new Date(), attempts: 1, body })));
    const actx = createExecutionContext();
    await worker.queue(alerts, env, actx);
    await getQueueResult(alerts, actx);
    const res = await call(new Request(`http://helios.test/api/v1/anomalies?from=${T0}&service=ledger`, { headers: { authorization: `Bearer ${key}` } }));
    const listed = ((await res.json()) as { anomalies: AnomalyView[] }).anomalies.find((a) => a.window_start === new Date(T0).toISOString());
    expect(listed).toMatchObject({ fired_by: byModel[0]!.fired_by, model: "count-jump@1" });
    expect(listed!.model_score).toBeCloseTo(sigmoid(2 / 3), 6);
  });
});
