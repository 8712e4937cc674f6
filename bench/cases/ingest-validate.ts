// Validating one 1,000-event request, as bench:ingest sends it (the same
// request with metadata on every event, and 1,000 metric samples): the Worker's validateItems, whose
// canonical items take the ajv-generated fast path, vs the valibot path alone
// (one array schema, as Helios had it) and vs the same rules in zod, item by
// item. zod runs jitless here because that is how it runs in workerd (which
// forbids `new Function`, so zod cannot compile its object parsers).
import { z } from "zod";
import { validateItems, validateItemsWithValibot } from "../../worker/src/ingest/schema";
import { type BenchRow, higherIsBetter, rate, warmUp } from "../harness";
import { benchBody } from "../ingest-body";

const REGIONS = ["eu-west-1", "us-east-1", "ap-south-1"];

/** The bench body with metadata (no lifted fields, so still canonical) on every event. */
export function withMetadata(text: string): string {
  const events = JSON.parse(text) as Record<string, unknown>[];
  events.forEach((e, i) => {
    e.metadata = { region: REGIONS[i % REGIONS.length], pod: `pod-${i % 16}`, trace_id: (0x9e3779b1 * (i + 1)).toString(16).padStart(16, "0"), retry: i % 7 === 0 };
  });
  return JSON.stringify(events);
}

/**
 * The bench body as the original Helios agents send it: latency, endpoint, status and error code
 * inside metadata, with a region beside them (the example event has this shape).
 */
export function agentForm(text: string): string {
  const events = JSON.parse(text) as Record<string, unknown>[];
  return JSON.stringify(
    events.map(({ latency_ms, endpoint, status, ...rest }, i) => ({
      ...rest,
      metadata: { latency_ms, endpoint, status, ...(status === 500 ? { error_code: "DB_TIMEOUT" } : {}), region: REGIONS[i % REGIONS.length] },
    })),
  );
}

/** 1,000 metric samples over the last 30 s, three labels each, not in name order (so both paths sort them). */
export function sampleBody(): string {
  const now = Date.now();
  const samples = Array.from({ length: 1000 }, (_, i) => ({
    name: i % 2 === 0 ? "http_requests_total" : "container_cpu_usage_seconds",
    value: (i * 7919) % 1000 / 10,
    labels: { service: `svc-${i % 8}`, pod: `pod-${i % 16}`, instance: `10.0.0.${i % 32}:9100` },
    timestamp: now - ((i * 104729) % 30_000),
  }));
  return JSON.stringify(samples);
}

/**
 * Best rates of `bodies`, measured in turns (one 200 ms run of each, five rounds): the machine's
 * load changes from second to second, and in turns it weighs on every body alike.
 */
function interleaved<const B extends readonly (() => unknown)[]>(n: number, bodies: B): { [K in keyof B]: number } {
  for (const b of bodies) warmUp(b);
  const best = bodies.map(() => 0);
  for (let round = 0; round < 5; round++) bodies.forEach((b, i) => (best[i] = Math.max(best[i]!, rate(n, b, { repeats: 1 }))));
  return best as { [K in keyof B]: number };
}

type Validate = (kind: "events" | "metrics", items: unknown[]) => { accepted: unknown[]; rejected: unknown[] };

export default async function (): Promise<BenchRow[]> {
  const n = 1000;
  // zod reads `jitless` when a schema is built, so the peer module is imported after setting it.
  z.config({ jitless: true });
  const zodValidate = (await import("../peers/zod-ingest-schema")).validateItems as Validate;

  const rows: BenchRow[] = [];
  for (const [label, kind, text] of [
    ["ingest validation, 1,000 events (JSON.parse included)", "events", benchBody(1)],
    ["same, every event with metadata", "events", withMetadata(benchBody(1))],
    ["same, in the original Helios agents' form (fields inside metadata)", "events", agentForm(benchBody(1))],
    ["same, 1,000 metric samples with 3 labels", "metrics", sampleBody()],
  ] as const) {
    const unit = kind === "events" ? "events/s" : "samples/s";
    const fresh = () => JSON.parse(text) as unknown[];
    const run = (f: Validate) => () => f(kind, fresh());
    const ours = run(validateItems as Validate);
    const valibot = run(validateItemsWithValibot as Validate);
    const zodRun = run(zodValidate);
    // The three must agree on this body before their speeds mean anything.
    const expected = JSON.stringify(valibot());
    if (JSON.stringify(ours()) !== expected) throw new Error(`fast path and valibot disagree: ${label}`);
    if (ours().accepted.length !== n) throw new Error(`not every item accepted: ${label}`);
    if (JSON.stringify(zodRun().rejected) !== JSON.stringify(valibot().rejected)) throw new Error(`valibot and zod disagree: ${label}`);

    // Validation alone, on items parsed once (neither path modifies its input).
    const parsed = fresh();
    const fastOnly = () => validateItems(kind, parsed);
    const valibotOnly = () => validateItemsWithValibot(kind, parsed);
    const [parseOnly, fastRate, valibotRate, zodRate, fastOnlyRate, valibotOnlyRate] = interleaved(n, [fresh, ours, valibot, zodRun, fastOnly, valibotOnly]);
    const us = (r: number) => Number((1e6 / r).toFixed(3));
    const notes = { json_parse_only_per_s: Math.round(parseOnly), fast_path_validation_us_per_item: us(fastOnlyRate), valibot_validation_us_per_item: us(valibotOnlyRate) };
    rows.push({ ...higherIsBetter(label, unit, fastRate, "valibot only, one array schema", valibotRate), notes });
    rows.push(higherIsBetter(label, unit, fastRate, "zod 4 jitless, per item", zodRate));
  }
  return rows;
}
