// onnx-proto is CommonJS whose named export Node's ESM loader cannot see:
// take it from the default export once, here, for every host.
import pkg from "onnx-proto";
import type { onnx as Onnx } from "onnx-proto";

/** The ONNX protobuf classes (ModelProto, GraphProto, ...), encode and decode. */
export const onnx: typeof Onnx = pkg.onnx;
export type { Onnx };
