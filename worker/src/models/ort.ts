// onnxruntime-web inside workerd. Workers forbid compiling WebAssembly from
// bytes at run time, and onnxruntime's Emscripten glue only knows how to
// compile bytes (fetch, then WebAssembly.instantiate(bytes)). So the runtime's
// .wasm is imported statically (wrangler's CompiledWasm rule uploads it as a
// module that the runtime hands over as a WebAssembly.Module), the glue is
// handed a marker in place of the bytes (it copies them, so the marker is
// matched by content), and the one WebAssembly.instantiate call that receives
// the marker is answered by instantiating the precompiled module instead. One thread and
// no proxy worker: workerd has neither Web Workers nor threads for wasm.
import * as ort from "onnxruntime-web/wasm";
import ortModule from "onnxruntime-web/ort-wasm-simd-threaded.wasm";

/** Bytes no real wasm starts with: the magic number, then "helios-ort". */
const MARKER = new Uint8Array([0, 0x61, 0x73, 0x6d, 0x68, 0x65, 0x6c, 0x69, 0x6f, 0x73, 0x2d, 0x6f, 0x72, 0x74]);

function isMarker(source: unknown): boolean {
  if (!(source instanceof Uint8Array) || source.length !== MARKER.length) return false;
  return source.every((b, i) => b === MARKER[i]);
}

let ready: Promise<typeof ort> | undefined;

/** The onnxruntime namespace, set up once per isolate. */
export function getOrt(): Promise<typeof ort> {
  ready ??= (async () => {
    const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>;
    (WebAssembly as { instantiate: unknown }).instantiate = async (source: unknown, imports?: WebAssembly.Imports) => {
      if (!isMarker(source)) return instantiate(source, imports);
      return { instance: await instantiate(ortModule, imports), module: ortModule };
    };
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmBinary = MARKER;
    ort.env.logLevel = "error";
    return ort;
  })();
  return ready;
}
