// onnxruntime-web in Node (CLI, tests, training checks): the package's Node
// entry loads the same WebAssembly backend from node_modules. One thread, as
// in the Worker and the browser, so every host runs the identical code path.
import * as ort from "onnxruntime-web";

let ready: typeof ort | undefined;

/** The onnxruntime namespace, configured once per process. */
export function getOrt(): typeof ort {
  if (!ready) {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = "error";
    ready = ort;
  }
  return ready;
}
