// Runs an exported model with onnxruntime-web's WebAssembly backend in Node,
// to check the file against the trainer's own inference.
import * as ort from "onnxruntime-web";

// One thread: Node has no cross-origin isolation to share memory between workers, and one thread sums trees in order.
ort.env.wasm.numThreads = 1;

/** Column `column` of the [N, C] output `outputName` for the rows of `x` (row-major, `f` features a row). */
export async function onnxScores(bytes: Uint8Array, x: Float32Array, f: number, inputName: string, outputName: string, column = 1): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const n = x.length / f;
    const out = await session.run({ [inputName]: new ort.Tensor("float32", x, [n, f]) });
    const t = out[outputName];
    if (!t) throw new Error(`the model has no output ${outputName}`);
    const c = t.dims.length === 2 ? Number(t.dims[1]) : 1;
    const data = t.data as Float32Array;
    return Float32Array.from({ length: n }, (_, i) => data[i * c + (c > 1 ? column : 0)]!);
  } finally {
    await session.release();
  }
}
