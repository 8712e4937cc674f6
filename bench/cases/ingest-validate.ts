// Validating one 1,000-event request, as bench:ingest sends it (and the same
// request with metadata on every event): the Worker's validateItems, whose
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
function withMetadata(text: string): string {
  const events = JSON.parse(text) as Record<string, unknown>[];
  events.forEach((e, i) => {
    e.metadata = { region: REGIONS[i % REGIONS.length], pod: `pod-${i % 16}`, trace_id: (0x9e3779b1 * (i + 1)).toString(16).padStart(16, "0"), retry: i % 7 === 0 };
  });
  return JSON.stringify(events);
}

type Validate = (kind: "events" | "metrics", items: unknown[]) => { accepted: unknown[]; rejected: unknown[] };

export default async function (): Promise<BenchRow[]> {
  const n = 1000;
  // zod reads `jitless` when a schema is built, so the peer module is imported after setting it.
  z.config({ jitless: true });
  const zodValidate = (await import("../peers/zod-ingest-schema")).validateItems as Validate;

  const rows: BenchRow[] = [];
  for (const [label, text] of [
    ["ingest validation, 1,000 events (JSON.parse included)", benchBody(1)],
    ["same, every event with metadata", withMetadata(benchBody(1))],
  ] as const) {
    const fresh = () => JSON.parse(text) as unknown[];
    const run = (f: Validate) => () => f("events", fresh());
    const ours = run(validateItems as Validate);
    const valibot = run(validateItemsWithValibot as Validate);
    const zodRun = run(zodValidate);
    // The three must agree on this body before their speeds mean anything.
    const expected = JSON.stringify(valibot());
    if (JSON.stringify(ours()) !== expected) throw new Error(`fast path and valibot disagree: ${label}`);
    if (JSON.stringify(zodRun().rejected) !== JSON.stringify(valibot().rejected)) throw new Error(`valibot and zod disagree: ${label}`);

    for (const f of [ours, valibot, zodRun]) warmUp(f);
    const parseOnly = rate(n, fresh);
    const fastRate = rate(n, ours);
    const valibotRate = rate(n, valibot);
    const zodRate = rate(n, zodRun);
    // Validation alone, per event: the request's time less JSON.parse's.
    const us = (r: number) => Number((1e6 / r - 1e6 / parseOnly).toFixed(3));
    const notes = { json_parse_only_events_per_s: Math.round(parseOnly), fast_path_us_per_event: us(fastRate), valibot_us_per_event: us(valibotRate), zod_us_per_event: us(zodRate) };
    rows.push({ ...higherIsBetter(label, "events/s", fastRate, "valibot only, one array schema", valibotRate), notes });
    rows.push(higherIsBetter(label, "events/s", fastRate, "zod 4 jitless, per item", zodRate));
  }
  return rows;
}
