// JSON Schemas of *canonical* events and metric samples: the strict subset of what the valibot
// schemas (schema.ts) accept whose normalised form is the item itself, less a default or two.
// scripts/gen-ingest-validators.ts compiles them with ajv's standalone code generation into
// canonical-validators.js (workerd forbids `new Function`, so ajv cannot compile at run time).
// Anything these reject is not necessarily bad: it goes to the valibot path, which normalises
// it or rejects it with its reason. Not checked here, by the code that calls them: the
// timestamp window (it moves with the clock) and the metadata size (a serialisation).
import { LABEL_NAME, LEVELS, LIFTED_FROM_METADATA, LIMITS, METRIC_NAME } from "./limits";

/** A string that String.prototype.trim leaves alone (JS `\s` is exactly the set trim removes). */
const TRIMMED = "^\\S(?:[\\s\\S]*\\S)?$";

/** A canonical event: known fields only, each already in its normalised form. */
export const canonicalEventSchema = {
  $id: "canonicalEvent",
  type: "object",
  properties: {
    timestamp: { type: "number" },
    service: { type: "string", minLength: 1, maxLength: LIMITS.service, pattern: TRIMMED },
    level: { enum: [...LEVELS] },
    message: { type: "string", maxLength: LIMITS.message },
    endpoint: { type: "string", maxLength: LIMITS.endpoint },
    latency_ms: { type: "number", minimum: 0, maximum: LIMITS.latencyMs },
    status: { type: "integer", minimum: 100, maximum: 599 },
    error_code: { type: "string", maxLength: LIMITS.errorCode },
    // Metadata carrying a lifted field is rewritten by the valibot path, so it is not canonical
    // (`false` fails a property that is not undefined: the test prepareEvent makes).
    metadata: { type: "object", properties: Object.fromEntries(LIFTED_FROM_METADATA.map((f) => [f, false])) },
  },
  required: ["service"],
  additionalProperties: false,
} as const;

/** A canonical metric sample: string label values, none of the names valibot's record skips. */
export const canonicalSampleSchema = {
  $id: "canonicalSample",
  type: "object",
  properties: {
    name: { type: "string", maxLength: LIMITS.metricName, pattern: METRIC_NAME.source },
    value: { type: "number" },
    labels: {
      type: "object",
      maxProperties: LIMITS.labels,
      // valibot's record skips these three names; a lookahead rather than `not` keeps ajv's success path allocation-free.
      propertyNames: { pattern: `^(?!(?:__proto__|prototype|constructor)$)${LABEL_NAME.source.slice(1)}` },
      additionalProperties: { type: "string", maxLength: LIMITS.labelValue },
    },
    timestamp: { type: "number" },
  },
  required: ["name", "value"],
  additionalProperties: false,
} as const;
