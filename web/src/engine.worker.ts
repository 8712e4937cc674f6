// The engine in a Web Worker, exposed to the page through comlink, so what-if
// recomputation never blocks the page.
import * as Comlink from "comlink";
import wasmUrl from "../../engine/build/release.wasm?url";
import { createEngine } from "../../engine/src/index";

const engine = createEngine(fetch(wasmUrl));

/** What the page can call in the worker. */
const api = {
  /** The version computed by the engine loaded in this browser. */
  async version(): Promise<string> {
    return (await engine).version;
  },
};

/** The worker's API type, for `Comlink.wrap<EngineWorker>`. */
export type EngineWorker = typeof api;

Comlink.expose(api);
