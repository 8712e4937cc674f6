// The labelled telemetry window-gbdt trains on: engine windows minute by
// minute, labels exactly over the incidents, and incidents that show.
import { beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../engine/src/index";
import { loadEngine } from "../engine/src/node";
import { generateTelemetry, type ServiceTelemetry } from "../models/window-gbdt/train/telemetry";

const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 2);

let engine: Engine;
let services: ServiceTelemetry[];
beforeAll(async () => {
  engine = await loadEngine();
  services = generateTelemetry(engine, { seed: 21, services: 4, days: 2, start: START });
});

const median = (v: number[]) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

describe("window-gbdt telemetry", () => {
  it("gives one engine window per minute with events, in order", () => {
    for (const s of services) {
      expect(s.labels.length).toBe(s.windows.length);
      for (let i = 0; i < s.windows.length; i++) {
        const w = s.windows[i]!;
        expect((w.start - START) % MINUTE).toBe(0);
        if (i > 0) expect(w.start).toBeGreaterThan(s.windows[i - 1]!.start);
        expect(w.count).toBeGreaterThan(0);
        expect(w.errors).toBeLessThanOrEqual(w.count);
        if (s.hasLatency) expect(w.latencyP50).toBeLessThanOrEqual(w.latencyP99);
        else expect(w.latencyP99).toBeNaN();
      }
    }
  });

  it("labels a window exactly when its minute is inside an incident", () => {
    for (const s of services) {
      const inside = (m: number) => s.incidents.some((x) => m >= x.start && m < x.end);
      s.windows.forEach((w, i) => expect(s.labels[i]).toBe(inside((w.start - START) / MINUTE) ? 1 : 0));
      expect(s.incidents.length).toBeGreaterThan(0);
    }
  });

  it("makes incidents visible: error bursts raise the error rate, latency spikes the p99", () => {
    const rates: { burst: number[]; clean: number[] } = { burst: [], clean: [] };
    const p99: { spike: number[]; clean: number[] } = { spike: [], clean: [] };
    for (const s of services) {
      const kindAt = (m: number) => s.incidents.find((x) => m >= x.start && m < x.end)?.kind;
      const cleanP99: number[] = [];
      const spikeP99: number[] = [];
      s.windows.forEach((w, i) => {
        const kind = kindAt((w.start - START) / MINUTE);
        if (kind === "error_burst") rates.burst.push(w.errors / w.count);
        if (!s.labels[i]) rates.clean.push(w.errors / w.count);
        if (s.hasLatency && kind === "latency_spike") spikeP99.push(w.latencyP99);
        if (s.hasLatency && !s.labels[i]) cleanP99.push(w.latencyP99);
      });
      // Compare each service's spike windows with its own clean ones: services differ in latency by 15x.
      if (spikeP99.length > 0) {
        p99.spike.push(median(spikeP99) / median(cleanP99));
        p99.clean.push(1);
      }
    }
    expect(rates.burst.length).toBeGreaterThan(0);
    expect(median(rates.burst)).toBeGreaterThan(3 * median(rates.clean));
    expect(p99.spike.length).toBeGreaterThan(0);
    expect(median(p99.spike)).toBeGreaterThan(1.3);
  });

  it("has every fifth service send no latency, so training always sees such services", () => {
    const five = generateTelemetry(engine, { seed: 23, services: 5, days: 1, start: START });
    expect(five.map((s) => s.hasLatency)).toEqual([true, true, true, true, false]);
    expect(five[4]!.windows.every((w) => Number.isNaN(w.latencyP99) && Number.isNaN(w.latencyMean))).toBe(true);
    expect(five[4]!.incidents.some((i) => i.kind === "latency_spike" || i.kind === "memory_leak" || i.kind === "noisy_neighbour")).toBe(false);
  });

  it("differs with the seed", () => {
    const other = generateTelemetry(engine, { seed: 22, services: 1, days: 1, start: START });
    expect(other[0]!.windows.slice(0, 60)).not.toEqual(services[0]!.windows.slice(0, 60));
  });
});
