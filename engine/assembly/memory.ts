// Raw linear-memory buffers for batches crossing the host boundary. The host
// allocates a region once (at set-up or when a batch outgrows it), writes
// columns into a Float64Array/Int32Array view over it, and passes the pointer
// and count to a batch export. Nothing here is GC-managed.

/** Allocates `bytes` of raw memory, 16-byte aligned. Returns 0 when `bytes` is 0. Called by the facade when a batch region must grow, not per batch. */
export function alloc(bytes: usize): usize {
  if (bytes == 0) return 0;
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Frees a region returned by `alloc`. */
export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}
