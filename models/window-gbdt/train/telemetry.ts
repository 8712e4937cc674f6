// Labelled service telemetry for training and evaluating window models.
// Each service sends request events (latency, error, endpoint) minute by
// minute with daily and weekly traffic cycles, minute-to-minute noise and a
// capacity it slows down near; benign deploys and traffic bumps happen
// unlabelled, and incidents (latency spikes, error bursts, bad deploys, slow
// memory leaks, saturation, noisy neighbours, traffic drops, endpoint scans)
// are labelled over the minutes they are visible. The events go through the
// engine's window aggregation, so the summaries (DDSketch quantiles,
// HyperLogLog endpoint counts) are exactly what the Worker stores.
import type { Engine } from "../../../engine/src/index";
import { gauss, rng } from "../../random";
import type { WindowSummary } from "../../contract";

const MINUTE = 60_000;
const DAY_MINUTES = 1440;

/** Labelled incident kinds. */
export const INCIDENT_KINDS = ["latency_spike", "error_burst", "bad_deploy", "memory_leak", "saturation", "noisy_neighbour", "traffic_drop", "endpoint_scan"] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** One labelled incident: minutes [start, end) of the service's timeline are anomalous. */
export interface Incident {
  kind: IncidentKind;
  start: number;
  end: number;
}

/** A service's windows, oldest first, with a label per window. */
export interface ServiceTelemetry {
  name: string;
  /** False for a service whose events carry no latency (its latency features are NaN). */
  hasLatency: boolean;
  windows: WindowSummary[];
  /** 1 where the window is inside a labelled incident. */
  labels: Uint8Array;
  incidents: Incident[];
}

export interface TelemetryOptions {
  seed: number;
  services: number;
  days: number;
  /** Epoch ms of the first minute; default Monday 2026-11-02 00:00 UTC. */
  start?: number;
  /** Services sharing a host, whose latency bumps together (noisy neighbours); default 4. */
  groupSize?: number;
}

/** Per-minute effects on one service, applied when its events are drawn. */
interface Effects {
  rate: Float64Array;
  latency: Float64Array;
  /** Fraction of requests the latency factor applies to. */
  affected: Float64Array;
  errors: Float64Array;
  /** Extra requests to random endpoints, as a fraction of the minute's traffic. */
  scan: Float64Array;
  label: Uint8Array;
}

interface Profile {
  baseRate: number;
  dailyAmp: number;
  peakHour: number;
  weekend: number;
  capacity: number;
  hasLatency: boolean;
  latMedian: number;
  latSigma: number;
  tailFrac: number;
  tailMult: number;
  baseErr: number;
  endpointCdf: Float64Array;
  salt: number;
}

const between = (r: () => number, a: number, b: number) => a + (b - a) * r();
const logBetween = (r: () => number, a: number, b: number) => Math.exp(between(r, Math.log(a), Math.log(b)));
const intBetween = (r: () => number, a: number, b: number) => Math.floor(between(r, a, b + 1));

function poisson(r: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss(r)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = r();
  while (p > limit) {
    k++;
    p *= r();
  }
  return k;
}

function profile(r: () => number, salt: number, hasLatency: boolean): Profile {
  // Some services serve a single endpoint (and a NAB series mapped to counts looks like one).
  const endpoints = r() < 0.15 ? 1 : intBetween(r, 3, 40);
  const cdf = new Float64Array(endpoints);
  let s = 0;
  for (let k = 0; k < endpoints; k++) cdf[k] = s += 1 / (k + 1) ** 1.1;
  for (let k = 0; k < endpoints; k++) cdf[k]! /= s;
  const baseRate = logBetween(r, 5, 150);
  const dailyAmp = between(r, 0.2, 0.7);
  const peakHour = between(r, 9, 21);
  const weekend = between(r, 0.5, 1);
  // Daily peaks load the service to 40-65% of what it can serve.
  const capacity = (baseRate * (1 + dailyAmp)) / between(r, 0.4, 0.65);
  r(); // the draw that used to decide hasLatency, kept so a seed's other parameters stay what they were
  return {
    baseRate,
    dailyAmp,
    peakHour,
    weekend,
    capacity,
    hasLatency,
    latMedian: logBetween(r, 15, 250),
    latSigma: between(r, 0.25, 0.6),
    tailFrac: between(r, 0.005, 0.03),
    tailMult: between(r, 3, 8),
    baseErr: logBetween(r, 0.001, 0.02),
    endpointCdf: cdf,
    salt,
  };
}

/** Expected requests per minute at minute m (no noise, no incidents). */
function expectedRate(p: Profile, start: number, m: number): number {
  const t = start + m * MINUTE;
  const hour = (t / 3_600_000) % 24;
  const dow = (Math.floor(t / 86_400_000) + 3) % 7; // 1970-01-01 was a Thursday: 0 = Monday
  const daily = 1 + p.dailyAmp * Math.cos((2 * Math.PI * (hour - p.peakHour)) / 24) + 0.1 * p.dailyAmp * Math.cos((4 * Math.PI * (hour - p.peakHour)) / 24);
  return p.baseRate * daily * (dow >= 5 ? p.weekend : 1);
}

function newEffects(n: number): Effects {
  return {
    rate: new Float64Array(n).fill(1),
    latency: new Float64Array(n).fill(1),
    affected: new Float64Array(n).fill(1),
    errors: new Float64Array(n),
    scan: new Float64Array(n),
    label: new Uint8Array(n),
  };
}

/** Labels [a, b) and records the incident. */
function mark(e: Effects, incidents: Incident[], kind: IncidentKind, a: number, b: number): void {
  const n = e.label.length;
  a = Math.max(0, a);
  b = Math.min(n, b);
  if (b <= a) return;
  e.label.fill(1, a, b);
  incidents.push({ kind, start: a, end: b });
}

/** A restart: a minute or two of fewer requests while instances come back. */
function restart(r: () => number, e: Effects, m: number): void {
  const len = intBetween(r, 1, 2);
  for (let k = m; k < Math.min(e.rate.length, m + len); k++) e.rate[k]! *= between(r, 0.6, 0.9);
}

/** Incidents of one service alone (noisy neighbours are scheduled per host); a slow leak, hours long, is drawn half as often. */
const OWN_KINDS: readonly IncidentKind[] = [
  ...(["latency_spike", "error_burst", "bad_deploy", "saturation", "traffic_drop", "endpoint_scan"] as const).flatMap((k) => [k, k]),
  "memory_leak",
];

/** Schedules one service's own incidents and benign changes over n minutes. */
function schedule(r: () => number, p: Profile, start: number, n: number, e: Effects, incidents: Incident[], level: Float64Array): void {
  // Benign deploys, about one a day: a small persistent latency step and a restart dip.
  for (let m = intBetween(r, 60, DAY_MINUTES); m < n; m += intBetween(r, 600, 2400)) {
    const step = between(r, 0.9, 1.12);
    for (let k = m; k < n; k++) level[k]! *= step;
    restart(r, e, m);
  }
  // Benign traffic bumps (a campaign, a batch job): +15-40% for up to two hours, well under capacity.
  for (let m = intBetween(r, 120, 2 * DAY_MINUTES); m < n; m += intBetween(r, 1440, 4320)) {
    const len = intBetween(r, 30, 120);
    const f = between(r, 1.15, 1.4);
    for (let k = m; k < Math.min(n, m + len); k++) e.rate[k]! *= f;
  }
  // Incidents: roughly 2.5 a day, not overlapping each other, with clean stretches between.
  let m = intBetween(r, 120, 600);
  while (m < n) {
    // A service without latency can only show what its counts and errors show.
    const kinds = p.hasLatency ? OWN_KINDS : OWN_KINDS.filter((k) => k !== "latency_spike" && k !== "memory_leak");
    const kind = kinds[Math.floor(r() * kinds.length)]!;
    let end = m;
    switch (kind) {
      case "latency_spike": {
        end = m + intBetween(r, 3, 20);
        const f = between(r, 1.8, 6);
        const frac = between(r, 0.15, 1);
        for (let k = m; k < Math.min(n, end); k++) {
          e.latency[k]! *= f;
          e.affected[k] = frac;
        }
        mark(e, incidents, kind, m, end);
        break;
      }
      case "error_burst": {
        end = m + intBetween(r, 2, 30);
        const add = logBetween(r, 0.03, 0.4);
        for (let k = m; k < Math.min(n, end); k++) e.errors[k]! += add;
        mark(e, incidents, kind, m, end);
        break;
      }
      case "bad_deploy": {
        end = m + intBetween(r, 15, 90);
        const lat = p.hasLatency && r() < 0.7 ? between(r, 1.3, 2.2) : 1;
        const err = lat === 1 || r() < 0.5 ? logBetween(r, 0.01, 0.1) : 0;
        for (let k = m; k < Math.min(n, end); k++) {
          e.latency[k]! *= lat;
          e.errors[k]! += err;
        }
        restart(r, e, m);
        restart(r, e, end);
        mark(e, incidents, kind, m, end);
        break;
      }
      case "memory_leak": {
        // Latency creeps up over hours until the process is restarted; visible once 25% up.
        const len = intBetween(r, 120, 360);
        end = m + len;
        const top = between(r, 1.6, 3);
        let visible = end;
        for (let k = m; k < Math.min(n, end); k++) {
          const f = 1 + ((top - 1) * (k - m)) / len;
          e.latency[k]! *= f;
          if (f >= 1.25 && visible === end) visible = k;
          if (f > 2) e.errors[k]! += 0.01 * (f - 2);
        }
        restart(r, e, end);
        mark(e, incidents, kind, visible, end);
        break;
      }
      case "saturation": {
        // Traffic climbs towards (or past) capacity and back; anomalous while load is above 85%.
        const up = intBetween(r, 5, 15);
        const plateau = intBetween(r, 15, 90);
        end = m + 2 * up + plateau;
        const peak = between(r, 0.9, 1.08);
        let first = -1;
        let last = -1;
        for (let k = m; k < Math.min(n, end); k++) {
          const ramp = k < m + up ? (k - m + 1) / up : k >= end - up ? (end - k) / up : 1;
          const base = expectedRate(p, start, k) * e.rate[k]!;
          const target = p.capacity * peak;
          const f = Math.max(1, 1 + (target / base - 1) * ramp);
          e.rate[k]! *= f;
          if ((base * f) / p.capacity > 0.85) {
            if (first < 0) first = k;
            last = k + 1;
          }
        }
        if (first >= 0) mark(e, incidents, kind, first, last);
        break;
      }
      case "traffic_drop": {
        end = m + intBetween(r, 5, 30);
        const f = between(r, 0.05, 0.4);
        for (let k = m; k < Math.min(n, end); k++) e.rate[k]! *= f;
        mark(e, incidents, kind, m, end);
        break;
      }
      case "endpoint_scan": {
        end = m + intBetween(r, 5, 30);
        const f = between(r, 0.3, 1.5);
        for (let k = m; k < Math.min(n, end); k++) e.scan[k] = f;
        mark(e, incidents, kind, m, end);
        break;
      }
    }
    m = end + Math.floor(-Math.log(1 - r()) * 480) + 60;
  }
}

/** Draws the service's events minute by minute, a day at a time, and aggregates them with the engine. */
function aggregate(engine: Engine, r: () => number, p: Profile, start: number, n: number, e: Effects, level: Float64Array): { windows: WindowSummary[]; minutes: Int32Array } {
  const agg = engine.windows.events({ capacity: DAY_MINUTES + 1 });
  const windows: WindowSummary[] = [];
  const minutes: number[] = [];
  let noise = 0;
  try {
    for (let d0 = 0; d0 < n; d0 += DAY_MINUTES) {
      const d1 = Math.min(n, d0 + DAY_MINUTES);
      const counts = new Int32Array(d1 - d0);
      const scans = new Int32Array(d1 - d0);
      let total = 0;
      for (let m = d0; m < d1; m++) {
        noise = 0.95 * noise + 0.05 * gauss(r); // AR(1) log-noise on traffic, minute to minute
        const lambda = expectedRate(p, start, m) * e.rate[m]! * Math.exp(0.25 * noise);
        counts[m - d0] = poisson(r, lambda);
        scans[m - d0] = e.scan[m]! > 0 ? poisson(r, lambda * e.scan[m]!) : 0;
        total += counts[m - d0]! + scans[m - d0]!;
      }
      const ts = new Float64Array(total);
      const lat = new Float64Array(total);
      const err = new Uint8Array(total);
      const ep = new Int32Array(total);
      let i = 0;
      for (let m = d0; m < d1; m++) {
        const c = counts[m - d0]!;
        // Queueing: latency grows as 1 + 0.1 rho / (1 - rho); beyond capacity the excess is refused (503).
        const rho = c / p.capacity;
        const queue = 1 + (0.1 * Math.min(rho, 0.97)) / (1 - Math.min(rho, 0.97));
        const refused = rho > 1 ? 1 - 1 / rho : 0;
        const errRate = Math.min(0.95, p.baseErr + e.errors[m]! + refused);
        const median = p.latMedian * level[m]! * queue;
        const t0 = start + m * MINUTE;
        for (let k = 0; k < c; k++, i++) {
          ts[i] = t0 + Math.floor(r() * MINUTE);
          const isErr = r() < errRate;
          err[i] = isErr ? 1 : 0;
          const u = r();
          let lo = 0;
          let hi = p.endpointCdf.length - 1;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (p.endpointCdf[mid]! < u) lo = mid + 1;
            else hi = mid;
          }
          ep[i] = Math.imul(p.salt ^ lo, 0x9e3779b1);
          if (!p.hasLatency) lat[i] = Number.NaN;
          else {
            let v = median * Math.exp(p.latSigma * gauss(r));
            if (r() < p.tailFrac) v *= p.tailMult;
            if (r() < e.affected[m]!) v *= e.latency[m]!;
            lat[i] = v;
          }
        }
        // Scanner requests: random paths, mostly 404s answered fast.
        for (let k = 0; k < scans[m - d0]!; k++, i++) {
          ts[i] = t0 + Math.floor(r() * MINUTE);
          err[i] = r() < 0.8 ? 1 : 0;
          ep[i] = Math.imul(p.salt ^ (1000 + Math.floor(r() * 1e6)), 0x9e3779b1);
          lat[i] = p.hasLatency ? 0.3 * p.latMedian * Math.exp(0.3 * gauss(r)) : Number.NaN;
        }
      }
      agg.add({ timestamp: ts, series: new Int32Array(total), latencyMs: lat, isError: err, endpointHash: ep });
      const cols = agg.flushColumns();
      const idx = Array.from({ length: cols.length }, (_, k) => k).sort((a, b) => cols.windowStart[a]! - cols.windowStart[b]!);
      for (const k of idx) {
        windows.push({
          start: cols.windowStart[k]!,
          count: cols.count[k]!,
          errors: cols.errorCount[k]!,
          latencyMean: cols.latencyMean[k]!,
          latencyStddev: cols.latencyStddev[k]!,
          latencyP50: cols.p50[k]!,
          latencyP95: cols.p95[k]!,
          latencyP99: cols.p99[k]!,
          distinctEndpoints: cols.distinctEndpoints[k]!,
        });
        minutes.push((cols.windowStart[k]! - start) / MINUTE);
      }
    }
  } finally {
    agg.dispose();
  }
  return { windows, minutes: Int32Array.from(minutes) };
}

/**
 * Generates `services` services over `days` days. The same options give the
 * same telemetry; a different seed gives different services, schedules and noise.
 */
export function generateTelemetry(engine: Engine, o: TelemetryOptions): ServiceTelemetry[] {
  const start = o.start ?? Date.UTC(2026, 10, 2);
  const n = o.days * DAY_MINUTES;
  const groupSize = o.groupSize ?? 4;
  const root = rng(o.seed);
  const seeds = Array.from({ length: o.services }, () => Math.floor(root() * 2 ** 31));
  // Every fifth service sends no latency: a random 20% left the training seed with none, so the model never saw such a service.
  const profiles = seeds.map((s, i) => profile(rng(s), s, i % 5 !== 4));
  const effects = profiles.map(() => newEffects(n));
  const incidents: Incident[][] = profiles.map(() => []);
  const levels = profiles.map(() => new Float64Array(n).fill(1));
  profiles.forEach((p, i) => schedule(rng(seeds[i]! ^ 0x51ed), p, start, n, effects[i]!, incidents[i]!, levels[i]!));
  // Noisy neighbours: every few days a shared host slows the services on it together.
  for (let g = 0; g * groupSize < o.services; g++) {
    const r = rng(o.seed * 7919 + g);
    for (let m = intBetween(r, 600, 3 * DAY_MINUTES); m < n; m += intBetween(r, 1440, 5 * DAY_MINUTES)) {
      const len = intBetween(r, 5, 40);
      const f = between(r, 1.4, 2.5);
      for (let i = g * groupSize; i < Math.min(o.services, (g + 1) * groupSize); i++) {
        if (r() < 0.25) continue; // not every service on the host feels it
        const fi = f * between(r, 0.85, 1.15);
        for (let k = m; k < Math.min(n, m + len); k++) effects[i]!.latency[k]! *= fi;
        if (profiles[i]!.hasLatency) mark(effects[i]!, incidents[i]!, "noisy_neighbour", m, m + len);
      }
    }
  }
  return profiles.map((p, i) => {
    const { windows, minutes } = aggregate(engine, rng(seeds[i]! ^ 0xa11), p, start, n, effects[i]!, levels[i]!);
    const labels = Uint8Array.from(minutes, (m) => effects[i]!.label[m]!);
    return { name: `svc-${o.seed}-${i}`, hasLatency: p.hasLatency, windows, labels, incidents: incidents[i]!.sort((a, b) => a.start - b.start) };
  });
}
