// Small ONNX models written with onnx-proto for tests: a logistic scorer
// (MatMul + Add + Sigmoid), a tree-ensemble classifier (ai.onnx.ml, the kind
// skl2onnx and onnxmltools emit), and the bad ones an upload must refuse.
import { onnx, type Onnx } from "../../models/runtime/onnx-proto";
import { sha256Hex } from "../../models/runtime/validate";

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const AT = onnx.AttributeProto.AttributeType;

/** A float32 tensor value type of the given dims ("N" for a symbolic batch). */
function tensorType(elemType: number, dims: (number | string)[]): Onnx.ITypeProto {
  return { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })) } } };
}

function encode(model: Onnx.IModelProto): Uint8Array<ArrayBuffer> {
  // protobufjs hands back a Buffer under nodejs_compat: copy into a plain Uint8Array so hosts compare alike.
  return new Uint8Array(onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish());
}

export interface LinearModelOptions {
  /** Feature names, in column order; only their count shapes the graph. */
  features: readonly string[];
  weights: readonly number[];
  bias: number;
  inputName?: string;
  outputName?: string;
  /** Declared input width; defaults to features.length (set it to build a mismatch). */
  width?: number;
  /** Output shape: "column" is [N, 1] (the default), "vector" is [N] (a Reshape to -1). */
  output?: "column" | "vector";
}

/**
 * score = sigmoid(X · w + b) for X of shape [N, F]: a hand-checkable model.
 * With w = (1, -1) and b = 0, the row (2, 1) scores sigmoid(1) = 0.7310586.
 */
export function linearModel(o: LinearModelOptions): Uint8Array<ArrayBuffer> {
  const f = o.width ?? o.features.length;
  const input = o.inputName ?? "input";
  const output = o.outputName ?? "score";
  const nodes: Onnx.INodeProto[] = [
    { opType: "MatMul", input: [input, "w"], output: ["xw"] },
    { opType: "Add", input: ["xw", "b"], output: ["logit"] },
    { opType: "Sigmoid", input: ["logit"], output: [o.output === "vector" ? "col" : output] },
  ];
  const initializer: Onnx.ITensorProto[] = [
    { name: "w", dataType: FLOAT, dims: [f, 1], floatData: [...o.weights] },
    { name: "b", dataType: FLOAT, dims: [1], floatData: [o.bias] },
  ];
  if (o.output === "vector") {
    initializer.push({ name: "shape", dataType: onnx.TensorProto.DataType.INT64, dims: [1], int64Data: [-1] });
    nodes.push({ opType: "Reshape", input: ["col", "shape"], output: [output] });
  }
  return encode({
    irVersion: 8,
    producerName: "helios-test",
    opsetImport: [{ domain: "", version: 17 }],
    graph: {
      name: "linear",
      node: nodes,
      initializer,
      input: [{ name: input, type: tensorType(FLOAT, ["N", f]) }],
      output: [{ name: output, type: tensorType(FLOAT, o.output === "vector" ? ["N"] : ["N", 1]) }],
    },
  });
}

export interface TreeModelOptions {
  features: readonly string[];
  inputName?: string;
}

/**
 * One decision stump over feature 0 as a TreeEnsembleClassifier with
 * probabilities [N, 2]: x0 <= 0.5 -> P(anomalous) = 0.2, else 0.9. The leaf
 * weights are class-1 scores only, so onnxruntime gives the rows [0, 0.2] and
 * [0, 0.9] (post_transform NONE): column 1 is the score.
 */
export function treeModel(o: TreeModelOptions): Uint8Array<ArrayBuffer> {
  return treeEnsembleClassifier("stump", o.inputName ?? "input", o.features.length, {
    treeids: [0, 0, 0],
    nodeids: [0, 1, 2],
    featureids: [0, 0, 0],
    values: [0.5, 0, 0],
    modes: ["BRANCH_LEQ", "LEAF", "LEAF"],
    truenodeids: [1, 0, 0],
    falsenodeids: [2, 0, 0],
    cTree: [0, 0],
    cNode: [1, 2],
    cWeight: [0.2, 0.9],
  });
}

export interface ForestModelOptions {
  features: readonly string[];
  trees: number;
  depth: number;
  seed: number;
}

/**
 * A gradient-boosted-trees-sized TreeEnsembleClassifier: `trees` full trees
 * of `depth` splits on seeded random features and thresholds, leaf weights
 * summing to at most 1 (post_transform NONE), probabilities [N, 2]. For
 * timing and parity, not for its answers.
 */
export function forestModel(o: ForestModelOptions): Uint8Array<ArrayBuffer> {
  let seed = o.seed >>> 0;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  const a: TreeArrays = { treeids: [], nodeids: [], featureids: [], values: [], modes: [], truenodeids: [], falsenodeids: [], cTree: [], cNode: [], cWeight: [] };
  const internal = 2 ** o.depth - 1;
  for (let t = 0; t < o.trees; t++) {
    for (let n = 0; n < 2 * internal + 1; n++) {
      const leaf = n >= internal;
      a.treeids.push(t);
      a.nodeids.push(n);
      a.featureids.push(leaf ? 0 : Math.floor(rand() * o.features.length));
      // Thresholds on the scale of the window features (counts ~100, latencies ~100 ms, rates ~0.01).
      a.values.push(leaf ? 0 : rand() * 200);
      a.modes.push(leaf ? "LEAF" : "BRANCH_LEQ");
      a.truenodeids.push(leaf ? 0 : 2 * n + 1);
      a.falsenodeids.push(leaf ? 0 : 2 * n + 2);
      if (leaf) {
        a.cTree.push(t);
        a.cNode.push(n);
        a.cWeight.push(rand() / o.trees);
      }
    }
  }
  return treeEnsembleClassifier("forest", "input", o.features.length, a);
}

/** A TreeEnsembleClassifier's trees, as the ai.onnx.ml attributes list them (leaf weights all for class 1). */
interface TreeArrays {
  treeids: number[];
  nodeids: number[];
  featureids: number[];
  values: number[];
  modes: string[];
  truenodeids: number[];
  falsenodeids: number[];
  cTree: number[];
  cNode: number[];
  cWeight: number[];
}

/** One TreeEnsembleClassifier over an [N, width] float input, giving label [N] and probabilities [N, 2] (post_transform NONE). */
function treeEnsembleClassifier(name: string, input: string, width: number, a: TreeArrays): Uint8Array<ArrayBuffer> {
  const enc = (xs: string[]) => xs.map((x) => new TextEncoder().encode(x));
  return encode({
    irVersion: 8,
    producerName: "helios-test",
    opsetImport: [
      { domain: "", version: 17 },
      { domain: "ai.onnx.ml", version: 3 },
    ],
    graph: {
      name,
      node: [
        {
          opType: "TreeEnsembleClassifier",
          domain: "ai.onnx.ml",
          input: [input],
          output: ["label", "probabilities"],
          attribute: [
            { name: "classlabels_int64s", type: AT.INTS, ints: [0, 1] },
            { name: "nodes_treeids", type: AT.INTS, ints: a.treeids },
            { name: "nodes_nodeids", type: AT.INTS, ints: a.nodeids },
            { name: "nodes_featureids", type: AT.INTS, ints: a.featureids },
            { name: "nodes_values", type: AT.FLOATS, floats: a.values },
            { name: "nodes_modes", type: AT.STRINGS, strings: enc(a.modes) },
            { name: "nodes_truenodeids", type: AT.INTS, ints: a.truenodeids },
            { name: "nodes_falsenodeids", type: AT.INTS, ints: a.falsenodeids },
            { name: "nodes_missing_value_tracks_true", type: AT.INTS, ints: Array(a.treeids.length).fill(0) },
            { name: "class_treeids", type: AT.INTS, ints: a.cTree },
            { name: "class_nodeids", type: AT.INTS, ints: a.cNode },
            { name: "class_ids", type: AT.INTS, ints: Array(a.cTree.length).fill(1) },
            { name: "class_weights", type: AT.FLOATS, floats: a.cWeight },
            { name: "post_transform", type: AT.STRING, s: new TextEncoder().encode("NONE") },
          ],
        },
      ],
      input: [{ name: input, type: tensorType(FLOAT, ["N", width]) }],
      output: [
        { name: "label", type: tensorType(onnx.TensorProto.DataType.INT64, ["N"]) },
        { name: "probabilities", type: tensorType(FLOAT, ["N", 2]) },
      ],
    },
  });
}

/** A graph whose only node is `opType` in `domain`: an operator onnxruntime-web has no kernel for. */
export function customOperatorModel(width: number, opType: string, domain: string, version = 1): Uint8Array<ArrayBuffer> {
  return encode({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 17 }, ...(domain ? [{ domain, version }] : [])],
    graph: {
      name: "custom",
      node: [{ opType, domain, input: ["input"], output: ["score"] }],
      input: [{ name: "input", type: tensorType(FLOAT, ["N", width]) }],
      output: [{ name: "score", type: tensorType(FLOAT, ["N", 1]) }],
    },
  });
}

/** A card for a model over `inputs`, with the file's sha256. */
export async function cardFor(bytes: Uint8Array, o: { name: string; version: string; inputs: readonly string[]; outputName?: string; opsets?: { domain: string; version: number }[] }) {
  return {
    name: o.name,
    version: o.version,
    inputs: [...o.inputs],
    input_name: "input",
    output_name: o.outputName ?? "score",
    output_column: 1,
    opsets: o.opsets ?? [{ domain: "", version: 17 }],
    sha256: await sha256Hex(bytes),
    created_at: "2026-12-01T00:00:00Z",
  };
}
