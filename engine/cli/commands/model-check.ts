// `helios model check <model.onnx> --card <card.json>`: the checks the Worker
// runs on upload (models/runtime/validate.ts), here in Node with the same
// onnxruntime-web, so a model can be tried before it is sent.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { getOrt } from "../../../models/runtime/ort-node";
import { ModelProblem } from "../../../models/runtime/problem";
import { validateModel } from "../../../models/runtime/validate";
import { loadEngine } from "../../src/node";
import { CliError } from "../csv";
import type { Command } from "../main";

const usage = `usage: helios model check <model.onnx> --card <card.json>

Checks a window model the way POST /api/v1/models does: size, ONNX protobuf,
operator sets and kernels onnxruntime-web has, inputs that are Helios
features, the card's sha256, a test inference on sample windows and the
output's shape. Prints the sample scores, or the problem's code and message
(exit code 1).`;

export const modelCheckCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { card: { type: "string" } } });
    if (positionals.length !== 1 || !values.card) throw new CliError(`give the model file and --card\n\n${usage}`);
    const read = async (p: string) => {
      try {
        return await readFile(p);
      } catch (err) {
        throw new CliError(`cannot read ${p}: ${(err as Error).message}`);
      }
    };
    const bytes = new Uint8Array(await read(positionals[0]!));
    const card = (await read(values.card)).toString("utf8");
    try {
      const ok = await validateModel(getOrt(), await loadEngine(), bytes, card);
      await ok.model.release();
      console.log(`ok: ${ok.card.name} ${ok.card.version}, ${ok.card.inputs.length} inputs, sample scores ${ok.sampleScores.map((s) => s.toFixed(4)).join(" ")}`);
    } catch (err) {
      if (err instanceof ModelProblem) throw new CliError(`${err.code}: ${err.message}${err.details ? ` ${JSON.stringify(err.details)}` : ""}`, 1);
      throw err;
    }
  },
};
