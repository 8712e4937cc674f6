// Reads an ONNX file's header without running it: operator sets, operators,
// and the graph's inputs and outputs with their element types and shapes.
// Upload validation uses it to say what is wrong before onnxruntime is asked.
import { onnx, type Onnx } from "./onnx-proto";
import { ModelProblem } from "./problem";
import type { Opset } from "./support";

/** A graph input or output: name, element type name ("float32", ...) and dims (a string for a symbolic dim, null when unknown). */
export interface TensorInfo {
  name: string;
  type: string;
  dims: (number | string | null)[] | null;
}

/** What an ONNX file declares. */
export interface ModelInfo {
  irVersion: number;
  opsets: Opset[];
  /** Distinct operators used, as "domain:op" with "" for ai.onnx. */
  operators: { domain: string; op: string }[];
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

const TYPE_NAMES: Record<number, string> = {
  1: "float32", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 6: "int32", 7: "int64", 8: "string", 9: "bool", 10: "float16", 11: "float64", 12: "uint32", 13: "uint64", 16: "bfloat16",
};

function num(v: number | { toNumber(): number } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "number" ? v : v.toNumber();
}

function tensorInfo(v: Onnx.IValueInfoProto): TensorInfo {
  const t = v.type?.tensorType;
  const dims = t?.shape?.dim ? t.shape.dim.map((d) => (d.dimParam ? d.dimParam : d.dimValue !== null && d.dimValue !== undefined ? num(d.dimValue) : null)) : null;
  return { name: v.name ?? "", type: t ? (TYPE_NAMES[t.elemType ?? 0] ?? `type ${t.elemType}`) : "not a tensor", dims };
}

/** Decodes `bytes` as an ONNX ModelProto; a truncated or non-ONNX file is a `model_unreadable` problem. */
export function inspectModel(bytes: Uint8Array): ModelInfo {
  let model: Onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new ModelProblem("model_unreadable", "the file is not a readable ONNX model (protobuf decoding failed)", { reason: String(err instanceof Error ? err.message : err) });
  }
  // Decoded messages always carry their repeated fields (empty arrays), unlike the I-interfaces.
  const graph = model.graph as Onnx.GraphProto | null;
  // Arbitrary bytes can decode as an empty or nonsense message: require the parts every ONNX model has.
  if (!graph || num(model.irVersion) <= 0 || model.opsetImport.length === 0 || graph.node.length === 0 || graph.output.length === 0) {
    throw new ModelProblem("model_unreadable", "the file is not an ONNX model: it lacks an IR version, operator sets, nodes or outputs");
  }
  const opsets = model.opsetImport.map((o) => ({ domain: o.domain ?? "", version: num(o.version) }));
  const seen = new Map<string, { domain: string; op: string }>();
  for (const n of graph.node) {
    const domain = n.domain ?? "";
    seen.set(`${domain}:${n.opType}`, { domain, op: n.opType ?? "" });
  }
  const initializers = new Set(graph.initializer.map((i) => i.name));
  return {
    irVersion: num(model.irVersion),
    opsets,
    operators: [...seen.values()],
    inputs: graph.input.filter((i) => !initializers.has(i.name ?? "")).map(tensorInfo),
    outputs: graph.output.map(tensorInfo),
  };
}
