import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError, parseTimestamp, readSeriesCsv } from "../cli/csv";

const dir = mkdtempSync(join(tmpdir(), "helios-csv-"));
function csv(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("CLI CSV reading", () => {
  it("reads CRLF files without a final newline, NAB's timestamp format as UTC", async () => {
    const p = csv("crlf.csv", "timestamp,value\r\n2014-02-14 14:30:00,0.132\r\n2014-02-14 14:35:00,0.134");
    const r = await readSeriesCsv(p, {});
    expect([...r.timestamps]).toEqual([Date.UTC(2014, 1, 14, 14, 30), Date.UTC(2014, 1, 14, 14, 35)]);
    expect([...r.values[0]!]).toEqual([0.132, 0.134]);
    expect(r.valueColumns).toEqual(["value"]);
  });

  it("reads several value columns and named columns", async () => {
    const p = csv("multi.csv", "time,cpu,mem\n1700000000,1,2\n1700000060,3,4\n");
    const r = await readSeriesCsv(p, { timeCol: "time", valueCols: ["mem"] });
    expect([...r.timestamps]).toEqual([1_700_000_000_000, 1_700_000_060_000]); // epoch seconds -> ms
    expect([...r.values[0]!]).toEqual([2, 4]);
  });

  it("reports bad rows with their line number", async () => {
    const p = csv("bad.csv", "timestamp,value\n2020-01-01T00:00:00Z,1\n2020-01-01T00:05:00Z,abc\n");
    await expect(readSeriesCsv(p, {})).rejects.toThrow(/bad\.csv:3: "value" is not a number: "abc"/);
    const q = csv("badts.csv", "timestamp,value\nyesterday,1\n");
    await expect(readSeriesCsv(q, {})).rejects.toThrow(/badts\.csv:2: bad timestamp "yesterday"/);
  });

  it("says what is wrong with missing, empty and wrong-column files", async () => {
    await expect(readSeriesCsv(join(dir, "nope.csv"), {})).rejects.toThrow(CliError);
    await expect(readSeriesCsv(csv("empty.csv", ""), {})).rejects.toThrow(/is empty/);
    await expect(readSeriesCsv(csv("header.csv", "timestamp,value\n"), {})).rejects.toThrow(/no rows/);
    await expect(readSeriesCsv(csv("cols.csv", "t,v\n1,2\n"), {})).rejects.toThrow(/no "timestamp" column \(columns: t, v\)/);
    await expect(readSeriesCsv(csv("cols2.csv", "timestamp,v\n1,2\n"), { valueCols: ["value"] })).rejects.toThrow(/no column "value"/);
  });

  it("parses timestamps in the accepted forms", () => {
    expect(parseTimestamp("2014-04-10 07:15:00.000000")).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseTimestamp("2014-04-10T07:15:00+02:00")).toBe(Date.UTC(2014, 3, 10, 5, 15));
    expect(parseTimestamp("1700000000000")).toBe(1_700_000_000_000);
    expect(parseTimestamp("garbage")).toBeNaN();
  });
});
