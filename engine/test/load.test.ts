import { describe, expect, it } from "vitest";
import { loadEngine } from "../src/node";

describe("engine loading in Node", () => {
  it("loads the release and debug builds and reports their version", async () => {
    const release = await loadEngine("release");
    const debug = await loadEngine("debug");
    expect(release.version).toBe("0.1.0");
    expect(debug.version).toBe(release.version);
    expect(release.debug).toBe(false);
    expect(debug.debug).toBe(true);
  });
});
