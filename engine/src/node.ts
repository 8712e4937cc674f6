// Loads the engine in Node (CLI, tests, benchmarks) from engine/build.

import { readFile } from "node:fs/promises";
import { createEngine, type Engine } from "./index";

/** Which build to load: release for hosts and benchmarks, debug (assertions on) for tests. */
export type EngineBuild = "release" | "debug";

/** Reads engine/build/<build>.wasm and instantiates it. Run `npm run build:engine` first. */
export async function loadEngine(build: EngineBuild = "release"): Promise<Engine> {
  const url = new URL(`../build/${build}.wasm`, import.meta.url);
  return createEngine(await readFile(url));
}
