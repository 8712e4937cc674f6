// One engine per isolate: instantiated on first use from the statically
// imported module (workerd forbids compiling WebAssembly from bytes).

import engineModule from "../../engine/build/release.wasm";
import { createEngine, type Engine } from "../../engine/src/index";

let loading: Promise<Engine> | undefined;

/** The isolate's engine, loaded once and reused by every request and batch. */
export function getEngine(): Promise<Engine> {
  loading ??= createEngine(engineModule).catch((err) => {
    loading = undefined; // let the next request try again
    throw err;
  });
  return loading;
}
