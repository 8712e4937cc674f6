// The engine's exports: one module, loaded by the Worker, the browser and Node.
// Each concept lives in its own file; this file only re-exports.

export { alloc, free } from "./memory";
export { version, is_debug } from "./version";
