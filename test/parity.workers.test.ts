// The same engine build gives identical results in Node and inside workerd.
import { describe, expect, inject, it } from "vitest";
import { getEngine } from "../worker/src/engine";
import { runScenario } from "./fixtures/engine-scenario";
import "./support/provided";

describe("engine parity between Node and workerd", () => {
  it("computes the same scenario digest in workerd as in Node", async () => {
    const inWorkerd = await runScenario(await getEngine());
    const inNode = inject("nodeEngineDigest");
    expect(inNode.version).toBe("0.1.0");
    // the digest carries real results of every part, not empty shells
    expect((inNode.windows as unknown[]).length).toBeGreaterThan(50);
    expect((inNode.forecast as { p50: number[] }).p50).toHaveLength(24);
    expect((inNode.sketches as { quantileBytes: string }).quantileBytes.length).toBeGreaterThan(100);
    expect(inWorkerd).toEqual(inNode);
  });
});
