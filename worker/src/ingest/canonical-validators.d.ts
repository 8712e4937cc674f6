// Types of canonical-validators.js, which scripts/gen-ingest-validators.ts generates with ajv
// from canonical-schema.ts. Each is a type guard: true means the item is canonical.
import type { Level } from "./limits";

/** An event that canonicalEventSchema accepts. */
export interface CanonicalEvent {
  timestamp?: number;
  service: string;
  level?: Level;
  message?: string;
  endpoint?: string;
  latency_ms?: number;
  status?: number;
  error_code?: string;
  metadata?: Record<string, unknown>;
}

/** A metric sample that canonicalSampleSchema accepts. */
export interface CanonicalSample {
  name: string;
  value: number;
  labels?: Record<string, string>;
  timestamp?: number;
}

export declare function isCanonicalEvent(data: unknown): data is CanonicalEvent;
export declare function isCanonicalSample(data: unknown): data is CanonicalSample;
