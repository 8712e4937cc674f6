// Writes a trained ensemble as an ONNX model with one ai.onnx.ml
// TreeEnsembleClassifier node, laid out as onnxmltools lays out XGBoost's
// binary models (every leaf weight on class 0, one base value, LOGISTIC), so
// onnxruntime returns [1 - p, p] per row. There is no Python here: the
// protobuf is built with onnx-proto's static protobufjs code.
import { onnx } from "../../runtime/onnx-proto";
import type { Ensemble } from "./gbdt";

/** Operator sets the exported model imports (domain "" is ai.onnx). */
export const EXPORT_OPSETS = [
  { domain: "", version: 17 },
  { domain: "ai.onnx.ml", version: 3 },
] as const;

/** ONNX IR version of onnx-proto's schema (onnx 1.10). */
export const IR_VERSION = 8;

/** The TreeEnsembleClassifier attributes of an ensemble, as plain arrays. */
export interface TreeEnsembleArrays {
  nodes_treeids: number[];
  nodes_nodeids: number[];
  nodes_featureids: number[];
  nodes_modes: ("BRANCH_LEQ" | "LEAF")[];
  nodes_values: number[];
  nodes_truenodeids: number[];
  nodes_falsenodeids: number[];
  nodes_missing_value_tracks_true: number[];
  class_treeids: number[];
  class_nodeids: number[];
  class_ids: number[];
  class_weights: number[];
  base_values: number[];
}

/**
 * Flattens the trees: node ids are each tree's own node indices; an internal
 * node is BRANCH_LEQ (true branch = the trainer's left, taken when x <= value
 * or, if tracked, when x is NaN); each leaf adds its weight to class 0's score.
 */
export function treeEnsembleArrays(model: Ensemble): TreeEnsembleArrays {
  const a: TreeEnsembleArrays = {
    nodes_treeids: [],
    nodes_nodeids: [],
    nodes_featureids: [],
    nodes_modes: [],
    nodes_values: [],
    nodes_truenodeids: [],
    nodes_falsenodeids: [],
    nodes_missing_value_tracks_true: [],
    class_treeids: [],
    class_nodeids: [],
    class_ids: [],
    class_weights: [],
    base_values: [model.baseMargin],
  };
  model.trees.forEach((tree, t) => {
    for (let k = 0; k < tree.feature.length; k++) {
      const leaf = tree.feature[k]! < 0;
      a.nodes_treeids.push(t);
      a.nodes_nodeids.push(k);
      a.nodes_featureids.push(leaf ? 0 : tree.feature[k]!);
      a.nodes_modes.push(leaf ? "LEAF" : "BRANCH_LEQ");
      a.nodes_values.push(leaf ? 0 : tree.threshold[k]!);
      a.nodes_truenodeids.push(leaf ? 0 : tree.left[k]!);
      a.nodes_falsenodeids.push(leaf ? 0 : tree.right[k]!);
      a.nodes_missing_value_tracks_true.push(leaf ? 0 : tree.missingLeft[k]!);
      if (leaf) {
        a.class_treeids.push(t);
        a.class_nodeids.push(k);
        a.class_ids.push(0);
        a.class_weights.push(tree.value[k]!);
      }
    }
  });
  return a;
}

/** Names and documentation of the exported graph. */
export interface ExportOptions {
  /** Graph input: one float32 tensor [N, features.length]. */
  inputName: string;
  /** Feature names in column order (written to the model's metadata, the card is the authority). */
  features: readonly string[];
  /** Output carrying the int64 label [N]. */
  labelName: string;
  /** Output carrying float32 [N, 2] probabilities, the anomalous class in column 1. */
  probabilitiesName: string;
  docString?: string;
}

/** The ONNX bytes of `model`; the same model and options always give the same bytes. */
export function exportOnnx(model: Ensemble, o: ExportOptions): Uint8Array {
  if (o.features.length !== model.nFeatures) throw new Error(`${o.features.length} feature names for a model of ${model.nFeatures} features`);
  const a = treeEnsembleArrays(model);
  const T = onnx.AttributeProto.AttributeType;
  const enc = new TextEncoder();
  const ints = (name: string, v: number[]) => ({ name, type: T.INTS, ints: v });
  const floats = (name: string, v: number[]) => ({ name, type: T.FLOATS, floats: v });
  const attribute = [
    ints("nodes_treeids", a.nodes_treeids),
    ints("nodes_nodeids", a.nodes_nodeids),
    ints("nodes_featureids", a.nodes_featureids),
    { name: "nodes_modes", type: T.STRINGS, strings: a.nodes_modes.map((s) => enc.encode(s)) },
    floats("nodes_values", a.nodes_values),
    ints("nodes_truenodeids", a.nodes_truenodeids),
    ints("nodes_falsenodeids", a.nodes_falsenodeids),
    ints("nodes_missing_value_tracks_true", a.nodes_missing_value_tracks_true),
    ints("class_treeids", a.class_treeids),
    ints("class_nodeids", a.class_nodeids),
    ints("class_ids", a.class_ids),
    floats("class_weights", a.class_weights),
    ints("classlabels_int64s", [0, 1]),
    floats("base_values", a.base_values),
    { name: "post_transform", type: T.STRING, s: enc.encode("LOGISTIC") },
  ];
  const F = onnx.TensorProto.DataType.FLOAT;
  const tensor = (name: string, elemType: number, dim: object[]) => ({ name, type: { tensorType: { elemType, shape: { dim } } } });
  const proto = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: "helios",
    producerVersion: "1",
    docString: o.docString ?? "",
    opsetImport: EXPORT_OPSETS.map((s) => ({ domain: s.domain, version: s.version })),
    metadataProps: [{ key: "features", value: JSON.stringify(o.features) }],
    graph: {
      name: "window_gbdt",
      node: [{ name: "trees", opType: "TreeEnsembleClassifier", domain: "ai.onnx.ml", input: [o.inputName], output: [o.labelName, o.probabilitiesName], attribute }],
      input: [tensor(o.inputName, F, [{ dimParam: "N" }, { dimValue: model.nFeatures }])],
      output: [tensor(o.labelName, onnx.TensorProto.DataType.INT64, [{ dimParam: "N" }]), tensor(o.probabilitiesName, F, [{ dimParam: "N" }, { dimValue: 2 }])],
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}
