// The map from (series, window start) to a preallocated slot, shared by the
// event and metric window aggregators. Open addressing over a power-of-two
// table of slot numbers, at most half full; keys are never removed one by one
// (a flush resets the whole table), so there are no tombstones.

/** Slot number marking an empty table entry. */
const EMPTY: i32 = -1;

/** Mixes a (series, window start) key into a table position. */
// @ts-ignore: decorator
@inline function keyHash(series: i32, start: f64): u32 {
  let h = reinterpret<u64>(start) ^ (<u64>(<u32>series) * 0x9e3779b97f4a7c15);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >> 33;
  return <u32>h;
}

/**
 * Fixed-capacity key table. Each entry holds its key inline (16 bytes:
 * series, slot, window start) so a lookup touches one cache line; slot i's
 * key is also kept in (series[i], start[i]) for reading out.
 */
// Unmanaged: lives outside the GC so hot loops carry no shadow-stack traffic; freed by dispose().
// @ts-ignore: decorator
@unmanaged export class KeyTable {
  table: usize;
  mask: u32;
  series: usize;
  start: usize;
  used: i32 = 0;

  constructor(public capacity: i32) {
    let size: u32 = 16;
    while (size < <u32>capacity * 2) size <<= 1;
    this.mask = size - 1;
    this.table = heap.alloc(<usize>size << 4);
    this.series = heap.alloc(<usize>max(capacity, 1) << 2);
    this.start = heap.alloc(<usize>max(capacity, 1) << 3);
    this.reset();
  }

  /** The slot of (series, start), creating it; -1 when a new key finds the table full. */
  slotOf(series: i32, start: f64): i32 {
    let p = keyHash(series, start) & this.mask;
    while (true) {
      const e = this.table + (<usize>p << 4);
      const s = load<i32>(e, 4);
      if (s == EMPTY) break;
      if (load<i32>(e) == series && load<f64>(e, 8) == start) return s;
      p = (p + 1) & this.mask;
    }
    if (this.used >= this.capacity) return -1;
    const s = this.used++;
    const e = this.table + (<usize>p << 4);
    store<i32>(e, series);
    store<i32>(e, s, 4);
    store<f64>(e, start, 8);
    store<i32>(this.series + (<usize>s << 2), series);
    store<f64>(this.start + (<usize>s << 3), start);
    return s;
  }

  @inline seriesOf(s: i32): i32 {
    return load<i32>(this.series + (<usize>s << 2));
  }

  @inline startOf(s: i32): f64 {
    return load<f64>(this.start + (<usize>s << 3));
  }

  /** Forgets every key (marks every entry's slot EMPTY). */
  reset(): void {
    const size = <usize>this.mask + 1;
    for (let p: usize = 0; p < size; p++) store<i32>(this.table + (p << 4), EMPTY, 4);
    this.used = 0;
  }

  dispose(): void {
    heap.free(this.table);
    heap.free(this.series);
    heap.free(this.start);
  }
}

let scratch: usize = 0;
let scratchBytes: usize = 0;

/** A scratch region of at least `bytes`, reused across batches (grows only when a batch is larger than any before). */
export function batchScratch(bytes: usize): usize {
  if (bytes > scratchBytes) {
    if (scratch != 0) heap.free(scratch);
    scratchBytes = max<usize>(bytes, 1024);
    scratch = heap.alloc(scratchBytes);
  }
  return scratch;
}

