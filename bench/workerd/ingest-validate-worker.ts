// A bench-only Worker (bench/cases/ingest-in-workerd.ts starts it with wrangler's
// unstable_dev): validateItems as the Worker runs it, inside workerd, timed from outside
// because workerd's clocks only advance on I/O.
//   PUT /body?kind=events|metrics   keeps the request body for the runs
//   GET /run?fn=parse|fast|valibot&reps=R   parses the body R times, validating each time unless parse;
//       with &parsed=1 parses once and validates the same items R times (neither path modifies them)
//   GET /noop                       the round trip to subtract
import { validateItems, validateItemsWithValibot } from "../../worker/src/ingest/schema";

let body = "[]";
let kind: "events" | "metrics" = "events";

export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/body") {
      body = await req.text();
      kind = url.searchParams.get("kind") === "metrics" ? "metrics" : "events";
      return Response.json({ bytes: body.length });
    }
    if (url.pathname === "/run") {
      const fn = url.searchParams.get("fn");
      const reps = Number(url.searchParams.get("reps") ?? "1");
      const validate = fn === "fast" ? validateItems : fn === "valibot" ? validateItemsWithValibot : undefined;
      const once = url.searchParams.get("parsed") === "1" ? (JSON.parse(body) as unknown[]) : undefined;
      let accepted = 0;
      for (let r = 0; r < reps; r++) {
        const items = once ?? (JSON.parse(body) as unknown[]);
        accepted += validate ? validate(kind, items).accepted.length : items.length;
      }
      return Response.json({ accepted });
    }
    return Response.json({});
  },
};
