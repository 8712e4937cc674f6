// Handle registries: the host refers to engine objects (sketches, detectors,
// aggregators) by small integer handles. Objects live in a global array, so
// the GC sees them as reachable without the host pinning pointers, and a
// stale or forged handle is a status code instead of a wild pointer.

/** A table of live objects addressed by i32 handles, with slot reuse. */
export class Registry<T> {
  private items: Array<T | null> = new Array<T | null>();
  private freeSlots: Array<i32> = new Array<i32>();

  /** Stores `item` and returns its handle (>= 0). */
  add(item: T): i32 {
    if (this.freeSlots.length > 0) {
      const h = this.freeSlots.pop();
      unchecked((this.items[h] = item));
      return h;
    }
    this.items.push(item);
    return this.items.length - 1;
  }

  /** The object behind `h`, or null when `h` is not live. */
  get(h: i32): T | null {
    if (<u32>h >= <u32>this.items.length) return null;
    return unchecked(this.items[h]);
  }

  /** Releases `h`; returns false when it was not live. */
  remove(h: i32): bool {
    if (<u32>h >= <u32>this.items.length) return false;
    if (unchecked(this.items[h]) === null) return false;
    unchecked((this.items[h] = null));
    this.freeSlots.push(h);
    return true;
  }

  /** Number of live objects. */
  get size(): i32 {
    return this.items.length - this.freeSlots.length;
  }
}
