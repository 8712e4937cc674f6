// Validating one 1,000-event request, as bench:ingest sends it: the Worker's
// valibot batch schema vs the same rules in zod, item by item, as Helios had
// them. zod runs jitless here because that is how it runs in workerd (which
// forbids `new Function`, so zod cannot compile its object parsers); the
// JIT figure is in the notes for reference only.
import { z } from "zod";
import { validateItems } from "../../worker/src/ingest/schema";
import { type BenchRow, higherIsBetter, rate, warmUp } from "../harness";
import { benchBody } from "../ingest-body";

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
