// Ingest queue messages, version 2: a chunk of validated items stored column
// by column. Numbers travel in typed arrays (the structured clone copies their
// bytes instead of tagging every value), and each distinct string is stored
// once per message with the columns holding its index. That made the queue
// send, the consumer's decode and its check a small part of the path they
// used to dominate (item objects: ~1 µs an event to serialise alone), and a
// message holds four times the events, so there are fewer R2 archive puts.
//
// Version 1 messages (the items as objects) are still read: a deploy can find
// them on the queue, and the consumer turns them into columns.
import { cloneBound, str as strBytes } from "./clone-size";
import { type IngestEvent, type IngestSample, LEVELS, type Level } from "./schema";

/** The body of a version 1 ingest queue message: the validated items themselves. */
export interface IngestMessage<T = unknown> {
  v: 1;
  id: string;
  tenant: string;
  kind: "events" | "metrics";
  received_at: number;
  items: T[];
}

/** Events of one message. Absent optional values: endpoint/errorCode 0 (else index + 1), latency NaN, status 0. */
export interface EventColumns {
  /** The message's distinct strings; the string columns index into it. */
  strings: string[];
  ts: Float64Array;
  service: Uint32Array;
  /** Index into LEVELS. */
  level: Uint8Array;
  message: Uint32Array;
  endpoint: Uint32Array;
  latency: Float64Array;
  status: Uint16Array;
  errorCode: Uint32Array;
  /** Positions of the events that carry metadata, ascending, and their metadata. */
  metaAt: Uint32Array;
  meta: Record<string, unknown>[];
}

/** Metric samples of one message: each sample names one of the message's series. */
export interface SampleColumns {
  /** The message's distinct series: name and labels (sorted by name). */
  series: { name: string; labels: Record<string, string> }[];
  ts: Float64Array;
  value: Float64Array;
  seriesAt: Uint32Array;
}

/** The body of a version 2 ingest queue message. */
export interface ColumnMessage {
  v: 2;
  /** Ledger key: stable across client retries when the client sends an Idempotency-Key. */
  id: string;
  tenant: string;
  kind: "events" | "metrics";
  received_at: number;
  /** Number of items. */
  n: number;
  columns: EventColumns | SampleColumns;
}

/** Upper bound of one message's serialised size, below the 128 KB (128,000 byte) queue limit. */
export const COLUMN_MESSAGE_TARGET_BYTES = 120_000;
/** The envelope and the typed arrays' headers, at most: ids and tenants are short. */
const FIXED_BYTES = 1024;
/** Bytes of one event's typed-array cells: ts 8, service 4, level 1, message 4, endpoint 4, latency 8, status 2, error code 4. */
const EVENT_CELL_BYTES = 35;
/** Bytes of one sample's cells: ts 8, value 8, series 4. */
const SAMPLE_CELL_BYTES = 20;

const LEVEL_INDEX = new Map<string, number>(LEVELS.map((l, i) => [l, i]));

/** Splits validated events into column messages of at most `targetBytes` each (one message when it is Infinity). */
export function eventColumnMessages(
  base: Omit<ColumnMessage, "id" | "n" | "columns" | "kind">,
  batchId: string,
  items: readonly IngestEvent[],
  /** True when every string is one-byte (the request body was plain ASCII). */
  ascii: boolean,
  targetBytes = COLUMN_MESSAGE_TARGET_BYTES,
): { body: ColumnMessage; bytes: number }[] {
  const perChar = ascii ? 1 : 2;
  const n = items.length;
  // Whole-batch columns; each message takes a copy of its range (a view would clone the whole buffer).
  const ts = new Float64Array(n);
  const service = new Uint32Array(n);
  const level = new Uint8Array(n);
  const message = new Uint32Array(n);
  const endpoint = new Uint32Array(n);
  const latency = new Float64Array(n);
  const status = new Uint16Array(n);
  const errorCode = new Uint32Array(n);
  const out: { body: ColumnMessage; bytes: number }[] = [];
  let strings: string[] = [];
  let index = new Map<string, number>();
  let metaAt: number[] = [];
  let meta: Record<string, unknown>[] = [];
  let start = 0;
  let bytes = FIXED_BYTES;
  const flush = (end: number) => {
    const columns: EventColumns = {
      strings,
      ts: ts.slice(start, end),
      service: service.slice(start, end),
      level: level.slice(start, end),
      message: message.slice(start, end),
      endpoint: endpoint.slice(start, end),
      latency: latency.slice(start, end),
      status: status.slice(start, end),
      errorCode: errorCode.slice(start, end),
      metaAt: Uint32Array.from(metaAt),
      meta,
    };
    out.push({ body: { ...base, kind: "events", id: `${batchId}:${out.length}`, n: end - start, columns }, bytes });
    strings = [];
    index = new Map();
    metaAt = [];
    meta = [];
    start = end;
    bytes = FIXED_BYTES;
  };
  // The bytes a string adds to the current message: nothing once it is in its table.
  const cost = (s: string | undefined) => (s === undefined || index.has(s) ? 0 : strBytes(s, perChar));
  const intern = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  // The bytes an event adds to the current message. The same string twice in one event is
  // counted twice: an upper bound is all that is needed.
  const sizeIn = (e: IngestEvent, metaBytes: number) =>
    EVENT_CELL_BYTES + metaBytes + cost(e.service) + cost(e.message) + cost(e.endpoint) + cost(e.error_code);
  for (let i = 0; i < n; i++) {
    const e = items[i]!;
    const metaBytes = e.metadata === undefined ? 0 : cloneBound(e.metadata, perChar);
    let size = sizeIn(e, metaBytes);
    if (i > start && bytes + size > targetBytes) {
      flush(i);
      size = sizeIn(e, metaBytes); // every string is new to the next message
    }
    bytes += size;
    ts[i] = e.ts;
    service[i] = intern(e.service);
    level[i] = LEVEL_INDEX.get(e.level)!;
    message[i] = intern(e.message);
    endpoint[i] = e.endpoint === undefined ? 0 : intern(e.endpoint) + 1;
    latency[i] = e.latency_ms ?? Number.NaN;
    status[i] = e.status ?? 0;
    errorCode[i] = e.error_code === undefined ? 0 : intern(e.error_code) + 1;
    if (e.metadata !== undefined) {
      metaAt.push(i - start);
      meta.push(e.metadata);
    }
  }
  if (n > start) flush(n);
  return out;
}

/** Splits validated metric samples into column messages of at most `targetBytes` each. */
export function sampleColumnMessages(
  base: Omit<ColumnMessage, "id" | "n" | "columns" | "kind">,
  batchId: string,
  items: readonly IngestSample[],
  ascii: boolean,
  targetBytes = COLUMN_MESSAGE_TARGET_BYTES,
): { body: ColumnMessage; bytes: number }[] {
  const perChar = ascii ? 1 : 2;
  const n = items.length;
  const ts = new Float64Array(n);
  const value = new Float64Array(n);
  const seriesAt = new Uint32Array(n);
  const out: { body: ColumnMessage; bytes: number }[] = [];
  let series: SampleColumns["series"] = [];
  let index = new Map<string, number>();
  let start = 0;
  let bytes = FIXED_BYTES;
  const flush = (end: number) => {
    const columns: SampleColumns = { series, ts: ts.slice(start, end), value: value.slice(start, end), seriesAt: seriesAt.slice(start, end) };
    out.push({ body: { ...base, kind: "metrics", id: `${batchId}:${out.length}`, n: end - start, columns }, bytes });
    series = [];
    index = new Map();
    start = end;
    bytes = FIXED_BYTES;
  };
  const seriesBytes = (s: IngestSample) => {
    let b = 40 + strBytes(s.name, perChar);
    for (const k in s.labels) b += strBytes(k, perChar) + strBytes(s.labels[k]!, perChar);
    return b;
  };
  for (let i = 0; i < n; i++) {
    const s = items[i]!;
    const key = seriesKeyOf(s.name, s.labels);
    let size = SAMPLE_CELL_BYTES + (index.has(key) ? 0 : seriesBytes(s));
    if (i > start && bytes + size > targetBytes) {
      flush(i);
      size = SAMPLE_CELL_BYTES + seriesBytes(s);
    }
    bytes += size;
    let at = index.get(key);
    if (at === undefined) {
      at = series.length;
      series.push({ name: s.name, labels: s.labels });
      index.set(key, at);
    }
    ts[i] = s.ts;
    value[i] = s.value;
    seriesAt[i] = at;
  }
  if (n > start) flush(n);
  return out;
}

/** Canonical JSON of sorted labels (the labels part of a metric's series key). */
export function labelsKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k]])));
}

/** One map key for a metric's name and labels. */
function seriesKeyOf(name: string, labels: Record<string, string>): string {
  return `${name}\u0000${labelsKey(labels)}`;
}

/** The events of a column message as queue items (the version 1 form; also what the archive holds). */
export function decodeEvents(c: EventColumns): IngestEvent[] {
  const out: IngestEvent[] = new Array(c.ts.length);
  let m = 0;
  for (let i = 0; i < c.ts.length; i++) {
    const e: IngestEvent = { ts: c.ts[i]!, service: c.strings[c.service[i]!]!, level: LEVELS[c.level[i]!] as Level, message: c.strings[c.message[i]!]! };
    if (c.endpoint[i]! > 0) e.endpoint = c.strings[c.endpoint[i]! - 1]!;
    if (!Number.isNaN(c.latency[i]!)) e.latency_ms = c.latency[i]!;
    if (c.status[i]! > 0) e.status = c.status[i]!;
    if (c.errorCode[i]! > 0) e.error_code = c.strings[c.errorCode[i]! - 1]!;
    if (m < c.metaAt.length && c.metaAt[m] === i) e.metadata = c.meta[m++]!;
    out[i] = e;
  }
  return out;
}

/** The samples of a column message as queue items. */
export function decodeSamples(c: SampleColumns): IngestSample[] {
  const out: IngestSample[] = new Array(c.ts.length);
  for (let i = 0; i < c.ts.length; i++) {
    const s = c.series[c.seriesAt[i]!]!;
    out[i] = { ts: c.ts[i]!, name: s.name, value: c.value[i]!, labels: s.labels };
  }
  return out;
}

/**
 * The events as NDJSON, each line exactly JSON.stringify of its queue item (decodeEvents), built
 * from strings quoted once per message instead of stringifying an object per event.
 */
export function eventsNdjson(c: EventColumns): string {
  const quoted = c.strings.map((s) => JSON.stringify(s));
  const levels = LEVELS.map((l) => JSON.stringify(l));
  let text = "";
  let m = 0;
  for (let i = 0; i < c.ts.length; i++) {
    let line = `{"ts":${c.ts[i]},"service":${quoted[c.service[i]!]},"level":${levels[c.level[i]!]},"message":${quoted[c.message[i]!]}`;
    if (c.endpoint[i]! > 0) line += `,"endpoint":${quoted[c.endpoint[i]! - 1]}`;
    if (!Number.isNaN(c.latency[i]!)) line += `,"latency_ms":${JSON.stringify(c.latency[i])}`;
    if (c.status[i]! > 0) line += `,"status":${c.status[i]}`;
    if (c.errorCode[i]! > 0) line += `,"error_code":${quoted[c.errorCode[i]! - 1]}`;
    if (m < c.metaAt.length && c.metaAt[m] === i) line += `,"metadata":${JSON.stringify(c.meta[m++])}`;
    text += `${line}}\n`;
  }
  return text;
}

/** The samples as NDJSON, each line exactly JSON.stringify of its queue item. */
export function samplesNdjson(c: SampleColumns): string {
  const heads = c.series.map((s) => [`,"name":${JSON.stringify(s.name)},"value":`, `,"labels":${JSON.stringify(s.labels)}}\n`] as const);
  let text = "";
  for (let i = 0; i < c.ts.length; i++) {
    const [head, tail] = heads[c.seriesAt[i]!]!;
    text += `{"ts":${c.ts[i]}${head}${JSON.stringify(c.value[i])}${tail}`;
  }
  return text;
}
