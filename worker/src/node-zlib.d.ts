// The part of node:zlib (nodejs_compat) the Worker uses; the Worker's types do not include Node's.
declare module "node:zlib" {
  /** Compresses to a gzip member; `level` 1 (fastest) to 9 (smallest). */
  export function gzipSync(data: string | Uint8Array, options?: { level?: number }): Uint8Array;
}
