// onnxruntime-web in Node (CLI, tests, training checks): the package's Node
// entry loads the same WebAssembly backend from node_modules. Its files are
// named by absolute URL because a bundling loader (vitest) moves the module
// that would otherwise find them beside itself. One thread, as in the Worker
// and the browser, so every host runs the identical code path.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import * as ort from "onnxruntime-web";

let ready: typeof ort | undefined;

/** The onnxruntime namespace, configured once per process. */
export function getOrt(): typeof ort {
  if (!ready) {
    const dist = dirname(createRequire(import.meta.url).resolve("onnxruntime-web"));
    ort.env.wasm.wasmPaths = `${pathToFileURL(dist).href}/`;
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.logLevel = "error";
    ready = ort;
  }
  return ready;
}
