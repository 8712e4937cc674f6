// Reads an ensemble back from a model written by onnx-export.ts, so a
// committed model.onnx can be checked against the trainer's own inference
// without retraining it.
import { onnx } from "../../runtime/onnx-proto";
import type { Ensemble, Tree } from "./gbdt";

/** The ensemble of the one TreeEnsembleClassifier node of `bytes` (exporter layout: class-0 weights, one base value, LOGISTIC). */
export function readOnnxEnsemble(bytes: Uint8Array): Ensemble {
  const model = onnx.ModelProto.decode(bytes);
  const node = model.graph?.node?.find((n) => n.opType === "TreeEnsembleClassifier");
  if (!node) throw new Error("no TreeEnsembleClassifier node");
  const attr = new Map((node.attribute ?? []).map((a) => [a.name ?? "", a]));
  const ints = (name: string) => (attr.get(name)?.ints ?? []).map(Number);
  const floats = (name: string) => attr.get(name)?.floats ?? [];
  const dec = new TextDecoder();
  if (dec.decode(attr.get("post_transform")?.s ?? new Uint8Array()) !== "LOGISTIC") throw new Error("post_transform is not LOGISTIC");
  const treeIds = ints("nodes_treeids");
  const nodeIds = ints("nodes_nodeids");
  const featureIds = ints("nodes_featureids");
  const modes = (attr.get("nodes_modes")?.strings ?? []).map((s) => dec.decode(s));
  const values = floats("nodes_values");
  const trueIds = ints("nodes_truenodeids");
  const falseIds = ints("nodes_falsenodeids");
  const missing = ints("nodes_missing_value_tracks_true");
  const nTrees = treeIds.reduce((m, t) => Math.max(m, t + 1), 0);
  const sizes = new Array<number>(nTrees).fill(0);
  for (let i = 0; i < treeIds.length; i++) sizes[treeIds[i]!] = Math.max(sizes[treeIds[i]!]!, nodeIds[i]! + 1);
  const trees: Tree[] = sizes.map((n) => ({
    feature: new Int32Array(n).fill(-1),
    threshold: new Float32Array(n),
    left: new Int32Array(n).fill(-1),
    right: new Int32Array(n).fill(-1),
    missingLeft: new Uint8Array(n),
    value: new Float32Array(n),
  }));
  for (let i = 0; i < treeIds.length; i++) {
    const t = trees[treeIds[i]!]!;
    const k = nodeIds[i]!;
    if (modes[i] === "LEAF") continue;
    if (modes[i] !== "BRANCH_LEQ") throw new Error(`node mode ${modes[i]} is not read`);
    t.feature[k] = featureIds[i]!;
    t.threshold[k] = values[i]!;
    t.left[k] = trueIds[i]!;
    t.right[k] = falseIds[i]!;
    t.missingLeft[k] = missing[i] ?? 0;
  }
  const classTrees = ints("class_treeids");
  const classNodes = ints("class_nodeids");
  const classIds = ints("class_ids");
  const weights = floats("class_weights");
  for (let i = 0; i < classTrees.length; i++) {
    if (classIds[i] !== 0) throw new Error("leaf weights on a class other than 0 are not read");
    trees[classTrees[i]!]!.value[classNodes[i]!]! += weights[i]!;
  }
  const dims = model.graph?.input?.[0]?.type?.tensorType?.shape?.dim ?? [];
  const nFeatures = Number(dims[1]?.dimValue ?? 0);
  return { nFeatures, baseMargin: floats("base_values")[0] ?? 0, trees };
}
