// Runs an exported model with onnxruntime-web in Node, through the same glue
// and output reading every host uses (models/runtime), to check the file
// against the trainer's own inference.
import { getOrt } from "../../runtime/ort-node";
import { readScores } from "../../runtime/score";

/** Column `column` of the [N, C] output `outputName` for the rows of `x` (row-major, `f` features a row). */
export async function onnxScores(bytes: Uint8Array, x: Float32Array, f: number, inputName: string, outputName: string, column = 1): Promise<Float32Array> {
  const ort = getOrt();
  const session = await ort.InferenceSession.create(bytes);
  try {
    const n = x.length / f;
    const out = await session.run({ [inputName]: new ort.Tensor("float32", x, [n, f]) });
    return readScores(out[outputName], n, { output_name: outputName, output_column: column });
  } finally {
    await session.release();
  }
}
