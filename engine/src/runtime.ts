// The loaded WebAssembly instance and the helpers every part of the facade
// uses to move columns in and out of linear memory. Owns no algorithm.

import { EngineError } from "./errors";

/** Raw exports of the engine module; each facade file narrows what it uses. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- exports are typed where they are wrapped.
export type RawExports = Record<string, any> & {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  version(): number;
  is_debug(): number;
};

/** Anything the engine can be instantiated from, in Node, workerd or a browser. */
export type EngineSource = WebAssembly.Module | BufferSource | Response | Promise<Response>;

/**
 * A growable raw region of linear memory for one kind of batch. It is
 * reallocated only when a batch is larger than any before it, so steady-state
 * batches allocate nothing.
 */
export class Region {
  private ptr = 0;
  private bytes = 0;
  constructor(private readonly rt: Runtime) {}

  /** Returns a pointer to at least `bytes` bytes (contents unspecified). */
  ensure(bytes: number): number {
    if (bytes <= this.bytes) return this.ptr;
    if (this.ptr !== 0) this.rt.exports.free(this.ptr);
    const size = Math.max(64, 2 ** Math.ceil(Math.log2(bytes)));
    this.ptr = this.rt.exports.alloc(size);
    this.bytes = size;
    return this.ptr;
  }
}

/** The instance plus typed views over its memory. Views are recreated per use because memory may grow. */
export class Runtime {
  constructor(readonly exports: RawExports) {}

  /** A Float64Array view of `n` values at `ptr`. Recreate after any call that may grow memory. */
  f64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.exports.memory.buffer, ptr, n);
  }
  /** An Int32Array view of `n` values at `ptr`. */
  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.exports.memory.buffer, ptr, n);
  }
  /** A Uint32Array view of `n` values at `ptr`. */
  u32(ptr: number, n: number): Uint32Array {
    return new Uint32Array(this.exports.memory.buffer, ptr, n);
  }
  /** A Uint8Array view of `n` bytes at `ptr`. */
  u8(ptr: number, n: number): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer, ptr, n);
  }
  /** A new growable region for batches. */
  region(): Region {
    return new Region(this);
  }
  /** Copies `src` into a region and returns its pointer. */
  putF64(region: Region, src: ArrayLike<number>): number {
    const ptr = region.ensure(src.length * 8);
    this.f64(ptr, src.length).set(src);
    return ptr;
  }
  /** Copies `src` into a region and returns its pointer. */
  putI32(region: Region, src: ArrayLike<number>): number {
    const ptr = region.ensure(src.length * 4);
    this.i32(ptr, src.length).set(src);
    return ptr;
  }
  /** Copies `src` into a region and returns its pointer. */
  putU8(region: Region, src: ArrayLike<number>): number {
    const ptr = region.ensure(src.length);
    this.u8(ptr, src.length).set(src);
    return ptr;
  }
}

/** Reads an AssemblyScript string (UTF-16, byte length stored just before it) out of memory. */
function readString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return "";
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0] ?? 0;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, bytes >>> 1));
}

/** Instantiates the engine module from whatever the host has. */
export async function instantiate(source: EngineSource): Promise<Runtime> {
  // Set once the instance exists; abort/trace only run after that.
  const bound: { memory?: WebAssembly.Memory } = {};
  const imports = {
    env: {
      // Called by AssemblyScript on a failed assertion or a runtime error.
      // Turned into an exception so a bug never silently corrupts results.
      abort(msg: number, file: number, line: number, col: number) {
        const m = bound.memory ? readString(bound.memory, msg) : "";
        const f = bound.memory ? readString(bound.memory, file) : "";
        throw new EngineError("trap", `engine aborted: ${m} at ${f}:${line}:${col}`);
      },
      trace(msg: number, n: number, ...args: number[]) {
        console.log(`engine trace: ${bound.memory ? readString(bound.memory, msg) : ""}`, ...args.slice(0, n));
      },
      seed() {
        // Only reached if Math.random is used; algorithms take explicit seeds instead.
        return Date.now();
      },
    },
  };
  const resolved: unknown = source instanceof Promise ? await source : source;
  let instance: WebAssembly.Instance;
  if (resolved instanceof WebAssembly.Module) {
    instance = await WebAssembly.instantiate(resolved, imports);
  } else {
    // Bytes or a fetch Response: compile then instantiate (Node and browsers;
    // workerd always passes a Module).
    const bytes =
      typeof Response !== "undefined" && resolved instanceof Response
        ? await resolved.arrayBuffer()
        : (resolved as BufferSource);
    // workerd's types omit compile (it is forbidden there); this branch never runs in workerd.
    const wasm = WebAssembly as unknown as { compile(b: BufferSource): Promise<WebAssembly.Module> };
    const module = await wasm.compile(bytes);
    instance = await WebAssembly.instantiate(module, imports);
  }
  const exports = instance.exports as unknown as RawExports;
  bound.memory = exports.memory;
  return new Runtime(exports);
}
