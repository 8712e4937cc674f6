import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { call, createTestKey } from "./helpers";

let acmeKey: string;
let otherKey: string;
let writeOnlyKey: string;
let apiSeries: number;
let otherSeries: number;
const T0 = Date.UTC(2026, 10, 22, 10, 0);

async function insertSeries(tenant: string, kind: string, name: string, labels = "{}"): Promise<number> {
  const row = await env.DB.prepare(
    "INSERT INTO series (tenant, kind, name, labels, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
  )
    .bind(tenant, kind, name, labels, T0, T0)
    .first<{ id: number }>();
  return row!.id;
}

async function insertWindow(seriesId: number, resolution: number, start: number, count: number, errors: number) {
  await env.DB.prepare(
    "INSERT INTO windows (series_id, resolution, start, count, errors, sum, mean, p99, agg, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  )
    .bind(seriesId, resolution, start, count, errors, count * 10, 10, 42, new Uint8Array([1]), T0)
    .run();
}

beforeAll(async () => {
  acmeKey = await createTestKey("acme-series");
  otherKey = await createTestKey("other-series");
  writeOnlyKey = await createTestKey("acme-series", ["write"]);
  apiSeries = await insertSeries("acme-series", "events", "api");
  await insertSeries("acme-series", "metrics", "cpu_utilization", '{"pod":"p1"}');
  otherSeries = await insertSeries("other-series", "events", "secret-service");
  for (let i = 0; i < 5; i++) await insertWindow(apiSeries, 60_000, T0 + i * 60_000, 100 + i, i);
  await insertWindow(apiSeries, 300_000, T0, 510, 10);
});

const get = (path: string, key: string) =>
  call(new Request(`http://helios.test${path}`, { headers: { authorization: `Bearer ${key}` } }));

describe("GET /api/v1/series", () => {
  it("lists only the key's tenant's series, with labels parsed", async () => {
    const res = await get("/api/v1/series", acmeKey);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { series: { name: string; kind: string; labels: Record<string, string> }[] };
    expect(body.series.map((s) => [s.kind, s.name, s.labels])).toEqual([
      ["events", "api", {}],
      ["metrics", "cpu_utilization", { pod: "p1" }],
    ]);
    const filtered = (await (await get("/api/v1/series?kind=metrics", acmeKey)).json()) as { series: unknown[] };
    expect(filtered.series).toHaveLength(1);
  });

  it("needs the read scope", async () => {
    const res = await get("/api/v1/series", writeOnlyKey);
    expect(res.status).toBe(403);
  });
});

describe("GET /api/v1/series/:id/windows", () => {
  it("returns the windows in [from, to) at the chosen resolution, oldest first", async () => {
    const from = new Date(T0 + 60_000).toISOString();
    const res = await get(`/api/v1/series/${apiSeries}/windows?from=${from}&to=${T0 + 4 * 60_000}`, acmeKey);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { windows: { start: string; count: number; errors: number; error_rate: number }[] };
    // starts T0+1m, +2m, +3m: counts 101..103, errors 1..3
    expect(body.windows.map((w) => [w.start, w.count, w.errors])).toEqual([
      [new Date(T0 + 60_000).toISOString(), 101, 1],
      [new Date(T0 + 120_000).toISOString(), 102, 2],
      [new Date(T0 + 180_000).toISOString(), 103, 3],
    ]);
    expect(body.windows[2]!.error_rate).toBeCloseTo(3 / 103, 12);
    const five = (await (await get(`/api/v1/series/${apiSeries}/windows?from=${T0}&to=${T0 + 3_600_000}&resolution=5m`, acmeKey)).json()) as {
      windows: { count: number }[];
    };
    expect(five.windows.map((w) => w.count)).toEqual([510]);
  });

  it("does not reveal another tenant's series", async () => {
    const res = await get(`/api/v1/series/${otherSeries}/windows`, acmeKey);
    expect(res.status).toBe(404);
    const own = await get(`/api/v1/series/${otherSeries}/windows`, otherKey);
    expect(own.status).toBe(200);
  });

  it("rejects bad parameters with 400 validation_failed", async () => {
    for (const q of ["resolution=2m", "from=yesterday", `from=${T0 + 1000}&to=${T0}`, "limit=0"]) {
      const res = await get(`/api/v1/series/${apiSeries}/windows?${q}`, acmeKey);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    }
  });
});
