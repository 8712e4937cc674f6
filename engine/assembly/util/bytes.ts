// Byte encoding for serialised sketches and aggregates: a growable raw writer
// and a bounds-checked reader. Varints are LEB128 (7 bits a byte); signed
// values are zigzag-encoded first. A reader never reads past its end: it sets
// `ok = false` and returns zeros, so corrupt or truncated bytes become
// ERR_CORRUPT at the caller instead of a trap.

/** Initial capacity of a writer's buffer, bytes. */
const WRITER_INITIAL_BYTES: usize = 256;

/** Writes `v` as a LEB128 varint at `p`; returns the position after it. The caller ensured 10 bytes. */
// @ts-ignore: decorator
@inline export function putVarint(p: usize, v: u64): usize {
  while (v >= 0x80) {
    store<u8>(p++, <u8>(v | 0x80));
    v >>= 7;
  }
  store<u8>(p++, <u8>v);
  return p;
}

/** A growable raw byte buffer. Reused between calls; grows by doubling. Unmanaged: no GC work per write. */
// @ts-ignore: decorator
@unmanaged export class ByteWriter {
  ptr: usize = 0;
  cap: usize = 0;
  len: usize = 0;

  /** Empties the writer, keeping its buffer. */
  reset(): void {
    this.len = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: usize): void {
    const need = this.len + n;
    if (need <= this.cap) return;
    let cap = this.cap == 0 ? WRITER_INITIAL_BYTES : this.cap;
    while (cap < need) cap <<= 1;
    const p = heap.alloc(cap);
    if (this.ptr != 0) {
      memory.copy(p, this.ptr, this.len);
      heap.free(this.ptr);
    }
    this.ptr = p;
    this.cap = cap;
  }

  @inline u8(v: u32): void {
    this.ensure(1);
    store<u8>(this.ptr + this.len, <u8>v);
    this.len += 1;
  }

  f64(v: f64): void {
    this.ensure(8);
    store<f64>(this.ptr + this.len, v);
    this.len += 8;
  }

  varint(v: u64): void {
    this.ensure(10);
    let p = this.ptr + this.len;
    while (v >= 0x80) {
      store<u8>(p++, <u8>(v | 0x80));
      v >>= 7;
    }
    store<u8>(p++, <u8>v);
    this.len = p - this.ptr;
  }

  /** Zigzag-encodes a signed value: 0, -1, 1, -2 ... become 0, 1, 2, 3 ... */
  svarint(v: i64): void {
    this.varint(<u64>((v << 1) ^ (v >> 63)));
  }

  bytes(src: usize, n: usize): void {
    this.ensure(n);
    memory.copy(this.ptr + this.len, src, n);
    this.len += n;
  }
}

/** A bounds-checked reader over [ptr, ptr + len). */
// @ts-ignore: decorator
@unmanaged export class ByteReader {
  pos: usize = 0;
  end: usize = 0;
  ok: bool = true;

  /** Points the reader at a new input. */
  reset(ptr: usize, len: usize): ByteReader {
    this.pos = ptr;
    this.end = ptr + len;
    this.ok = true;
    return this;
  }

  /** Bytes left to read. */
  @inline get remaining(): usize {
    return this.end - this.pos;
  }

  u8(): u32 {
    if (this.pos >= this.end) {
      this.ok = false;
      return 0;
    }
    return load<u8>(this.pos++);
  }

  f64(): f64 {
    if (this.end - this.pos < 8 || this.pos > this.end) {
      this.ok = false;
      return 0;
    }
    const v = load<f64>(this.pos);
    this.pos += 8;
    return v;
  }

  varint(): u64 {
    let v: u64 = 0;
    let shift: u64 = 0;
    while (shift < 64) {
      if (this.pos >= this.end) {
        this.ok = false;
        return 0;
      }
      const b = <u64>load<u8>(this.pos++);
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
      shift += 7;
    }
    this.ok = false; // more than 10 bytes: not a varint we wrote
    return 0;
  }

  svarint(): i64 {
    const u = this.varint();
    return <i64>(u >> 1) ^ -<i64>(u & 1);
  }

  /** Skips `n` bytes, returning their start (0 when they are not all there). */
  skip(n: usize): usize {
    if (this.end - this.pos < n || this.pos > this.end) {
      this.ok = false;
      return 0;
    }
    const p = this.pos;
    this.pos += n;
    return p;
  }
}

/** The engine's shared output buffer for serialised bytes; the facade copies out of it right after the call. */
export const OUT = new ByteWriter();

/** Pointer to the bytes written by the last serialising call. Called by the facade after each serialise/merge. */
export function out_ptr(): usize {
  return OUT.ptr;
}

/** Where a validating batch call records the index of the first bad value. */
let badIndex: i32 = -1;

/** Records the offending index of a rejected batch. */
export function setBadIndex(i: i32): void {
  badIndex = i;
}

/** Index of the first bad value in the last rejected batch (-1 when none). Called by the facade after an error status. */
export function bad_index(): i32 {
  return badIndex;
}
