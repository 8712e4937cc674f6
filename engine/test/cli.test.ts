// The helios CLI end to end, as a user runs it: a real process on small files
// this test writes, including the bad-input cases and their exit codes.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cardFor, linearModel } from "../../test/support/onnx-models";

const bin = join(import.meta.dirname, "..", "cli", "bin.mjs");
const dir = mkdtempSync(join(tmpdir(), "helios-cli-"));

function helios(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** 600 five-minute points of a daily-ish wave with one spike at row 500; CRLF and no final newline. */
function seriesCsv(name: string): string {
  const rows = ["timestamp,value"];
  for (let i = 0; i < 600; i++) {
    const x = (i % 288) / 288;
    const v = 50 + 40 * x * (1 - x) + (i % 7) * 0.3 + (i === 500 ? 80 : 0);
    rows.push(`${new Date(Date.UTC(2026, 0, 1) + i * 300_000).toISOString().replace("T", " ").slice(0, 19)},${v}`);
  }
  const p = join(dir, name);
  writeFileSync(p, rows.join("\r\n"));
  return p;
}

describe("helios CLI", () => {
  it("detect writes timestamp,anomaly_score for every row in order, and the spike scores highest", () => {
    const input = seriesCsv("series.csv");
    const out = join(dir, "scores.csv");
    const r = helios("detect", input, "--out", out);
    expect(r.code).toBe(0);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe("timestamp,anomaly_score");
    expect(lines).toHaveLength(601);
    const scores = lines.slice(1).map((l) => Number(l.split(",")[1]));
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(scores.indexOf(Math.max(...scores))).toBe(500);
    expect(lines[1]!.startsWith("2026-01-01T00:00:00.000Z,")).toBe(true);
  });

  it("forecast writes p10/p50/p90 for the horizon", () => {
    const r = helios("forecast", seriesCsv("f.csv"), "--horizon", "5");
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines[0]).toBe("timestamp,p10,p50,p90");
    expect(lines).toHaveLength(6);
    for (const l of lines.slice(1)) {
      const [, p10, p50, p90] = l.split(",").map(Number);
      expect(p10).toBeLessThanOrEqual(p50!);
      expect(p50).toBeLessThanOrEqual(p90!);
    }
  });

  it("eval detect scores a small labelled corpus the NAB way", () => {
    const corpus = join(dir, "corpus");
    mkdirSync(join(corpus, "demo"), { recursive: true });
    writeFileSync(join(corpus, "demo", "s.csv"), readFileSync(seriesCsv("c.csv")));
    const t = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 300_000).toISOString().replace("T", " ").slice(0, 19);
    writeFileSync(join(corpus, "windows.json"), JSON.stringify({ "demo/s.csv": [[t(495), t(510)]] }));
    const r = helios("eval", "detect", "--data", corpus, "--windows", join(corpus, "windows.json"));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/standard\s+normalised\s+\d+(\.\d)?/);
    expect(r.out).toContain("demo/s.csv");
  });

  it("eval forecast scores Helios next to seasonal naive (--peers naive) on a straight line", () => {
    // y_t = t at 5-minute steps, 700 points: the season is a day, m = 288. Seasonal naive
    // forecasts y_{o+j} by y_{o+j-288}, off by 288 at every step, and its in-sample MAE
    // (the MASE scale) is |x_t - x_{t-288}| = 288 too: MASE exactly 1 at every horizon.
    // Helios' trend model follows a line exactly: MASE 0 up to rounding. Origins:
    // last = 700 - 12 = 688, stride = floor((688 - 576) / 2) = 56 -> 688 and 632.
    const data = join(dir, "line");
    mkdirSync(data, { recursive: true });
    const rows = ["timestamp,value"];
    for (let i = 0; i < 700; i++) rows.push(`${new Date(Date.UTC(2026, 0, 1) + i * 300_000).toISOString()},${i}`);
    writeFileSync(join(data, "line.csv"), rows.join("\n"));
    const json = join(dir, "eval-forecast.json");
    const r = helios("eval", "forecast", "--data", data, "--peers", "naive", "--horizons", "1,12", "--origins", "2", "--json", json);
    expect(r.code).toBe(0);
    expect(r.out).toContain("line.csv: helios MASE@1/12=");
    const result = JSON.parse(readFileSync(json, "utf8"));
    expect(result.horizons).toEqual([1, 12]);
    for (const h of [1, 12]) {
      expect(result.overall["seasonal naive"][h].mase).toBeCloseTo(1, 12);
      expect(result.overall["seasonal naive"][h].coverage).toBeNull();
      expect(result.overall.helios[h].mase).toBeLessThan(1e-6);
    }
    const bad = helios("eval", "forecast", "--data", data, "--peers", "nave");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown peer "nave"');
  });

  it("says what is wrong with bad input, with exit code 2", () => {
    const missing = helios("detect", join(dir, "nope.csv"));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("no such file");
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,oops\n");
    const badRow = helios("detect", bad);
    expect(badRow.code).toBe(2);
    expect(badRow.err).toContain("bad.csv:3");
    const cols = join(dir, "cols.csv");
    writeFileSync(cols, "time,v\n1,2\n");
    expect(helios("detect", cols).err).toContain('no "timestamp" column');
    const empty = join(dir, "empty.csv");
    writeFileSync(empty, "");
    expect(helios("forecast", empty, "--horizon", "3").err).toContain("is empty");
    expect(helios("forecast", seriesCsv("h.csv")).code).toBe(2); // --horizon missing
    expect(helios("nonsense").code).toBe(2);
    expect(helios("detect", "--help").code).toBe(0);
  });
  it("model check runs the upload checks locally: sample scores, or the problem's code with exit code 1", async () => {
    const bytes = linearModel({ features: ["count"], weights: [0.01], bias: 0 });
    const model = join(dir, "model.onnx");
    writeFileSync(model, bytes);
    const card = join(dir, "card.json");
    writeFileSync(card, JSON.stringify(await cardFor(bytes, { name: "local", version: "1", inputs: ["count"] })));
    const ok = helios("model", "check", model, "--card", card);
    // Sample windows 12.. (after ROLLING_HISTORY = 12) have 120 + (7i % 11) requests: window 12 has 120 + (84 % 11 = 7) = 127,
    // sigmoid(1.27) = 0.7807.
    expect([ok.code, ok.err]).toEqual([0, ""]);
    expect(ok.out).toMatch(/^ok: local 1, 1 inputs, sample scores 0\.7807 /);
    const bad = join(dir, "unknown-card.json");
    writeFileSync(bad, JSON.stringify(await cardFor(bytes, { name: "local", version: "1", inputs: ["cpu"] })));
    const r = helios("model", "check", model, "--card", bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain("model_unknown_input");
    expect(helios("model", "check", model).code).toBe(2);
  });
});
