// onnxruntime-web in the dashboard's Web Worker. The runtime's .wasm is
// emitted by Vite as an asset and named explicitly, so it loads from this
// origin (the Worker serves it) and not from a CDN. One thread and no proxy:
// the page is not cross-origin isolated (no wasm threads), and this code
// already runs off the main thread.
import * as ort from "onnxruntime-web/wasm";
import ortWasmUrl from "onnxruntime-web/ort-wasm-simd-threaded.wasm?url";

let ready: typeof ort | undefined;

/** The onnxruntime namespace, configured once per worker. */
export function getOrt(): typeof ort {
  if (!ready) {
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = { wasm: ortWasmUrl };
    ort.env.logLevel = "error";
    ready = ort;
  }
  return ready;
}
