// PCG32 (O'Neill, pcg-random.org, "pcg32_random_r"): a small seeded PRNG so
// that fits are deterministic for a seed in every host. Math.random is never used.

const MULT: u64 = 6364136223846793005;
/** Default stream increment from the reference implementation (odd). */
const INC: u64 = 1442695040888963407;
const TWO_POW_M32: f64 = 1.0 / 4294967296.0;

/** A PCG32 generator. One per fit; allocated at set-up. */
export class Pcg32 {
  state: u64 = 0;

  /** Seeds as pcg32_srandom_r(seed, default stream) does. */
  constructor(seed: u64) {
    this.state = 0;
    this.next();
    this.state += seed;
    this.next();
  }

  /** The next uniform u32. */
  @inline next(): u32 {
    const old = this.state;
    this.state = old * MULT + INC;
    const xorshifted = <u32>(((old >> 18) ^ old) >> 27);
    const rot = <u32>(old >> 59);
    return rotr<u32>(xorshifted, rot);
  }

  /** Uniform integer in [0, bound) by Lemire's multiply-shift (bias < bound / 2^32, negligible here). */
  @inline below(bound: u32): u32 {
    return <u32>((<u64>this.next() * <u64>bound) >> 32);
  }

  /** Uniform f64 in (0, 1] from 32 bits. */
  @inline unitOpenLow(): f64 {
    return (<f64>this.next() + 1.0) * TWO_POW_M32;
  }
}
