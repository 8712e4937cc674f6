// Validating one 1,000-event request, as bench:ingest sends it: the Worker's
// valibot batch schema vs the same rules in zod, item by item, as Helios had
// them. zod runs jitless here because that is how it runs in workerd (which
// forbids `new Function`, so zod cannot compile its object parsers); the
// JIT figure is in the notes for reference only.
import { z } from "zod";
import { validateItems } from "../../worker/src/ingest/schema";
import { type BenchRow, higherIsBetter, rate, warmUp } from "../harness";

const SERVICES = ["checkout", "payments", "search", "auth", "catalog", "inventory", "shipping", "email"];
const ENDPOINTS = ["/", "/api/a", "/api/b", "/api/c", "/api/d", "/health"];

/** The body bench/ingest.ts sends: 1,000 events over the last 30 s. */
export function benchBody(seed: number, n = 1000): string {
  const now = Date.now();
  const events = new Array(n);
  for (let i = 0; i < n; i++) {
    const k = (seed * 7919 + i * 104729) >>> 0;
    events[i] = {
      timestamp: now - (k % 30_000),
      service: SERVICES[k % SERVICES.length],
      level: k % 50 === 0 ? "ERROR" : "INFO",
      message: "request served",
      endpoint: ENDPOINTS[k % ENDPOINTS.length],
      latency_ms: 5 + (k % 400) / 4,
      status: k % 50 === 0 ? 500 : 200,
    };
  }
  return JSON.stringify(events);
}

export default async function (): Promise<BenchRow[]> {
  const text = benchBody(1);
  const n = 1000;
  const fresh = () => JSON.parse(text) as unknown[];
  const ours = () => validateItems("events", fresh());
  warmUp(ours);
  const parseOnly = rate(n, fresh);
  const valibotRate = rate(n, ours);

  // zod reads `jitless` when a schema is built, so the peer module is imported after setting it.
  z.config({ jitless: true });
  const jitless = (await import("../peers/zod-ingest-schema")).validateItems;
  const zodRun = () => jitless("events", fresh());
  warmUp(zodRun);
  const zodRate = rate(n, zodRun);
  if (JSON.stringify(ours().rejected) !== JSON.stringify(zodRun().rejected)) throw new Error("valibot and zod disagree on the bench body");

  return [
    {
      ...higherIsBetter("ingest validation, 1,000 events (JSON.parse included)", "events/s", valibotRate, "zod 4 jitless, per item", zodRate),
      notes: { json_parse_only_events_per_s: Math.round(parseOnly) },
    },
  ];
}
