// Contextual member of the streaming detector's alarm, in the spirit of CAD OSE
// (Contextual Anomaly Detector, open-source edition): has this value ever
// followed the value before it? Streaming, O(1) per point (O(64) on a novel
// pair), 64 counts and five scalars of state.
//
// Quantiser: each value becomes one of CTX_SYMBOLS symbols (3 bits, as CAD
// OSE) by its place in a forgetting range [lo, hi]: a new extreme sets a bound,
// and every point pulls both bounds toward each other by 1 / CTX_RANGE_MEMORY
// of the range, so the range is that of about the last CTX_RANGE_MEMORY
// points. CAD quantises with the whole file's min and max, which a stream
// cannot know.
//
// Contexts: the previous symbol. Each (previous, current) pair has a
// saturating u8 count. A pair whose count is 0 is a novel transition: no
// learned context predicted the symbol, CAD's raw anomaly of 1 (a longer
// context cannot have predicted it either: a pair never seen is never seen
// after two symbols). Counts saturate at 255 and are never forgotten, as CAD
// OSE never forgets a context. Forgetting was tried (halving one row every
// 3000 points, round robin; or halving a row when a count saturates): on a
// smooth noisy cycle every forgotten 2-symbol noise jump became a novelty
// again (27 and 6 alarms instead of 3 in the 1M-point bench), and NAB dev
// scored no better. The cost: a series that has shown every pair makes no
// more novelties, and the member falls silent; the model's alarm still
// stands for it.
//
// Evidence of a novel transition: a pair can be new only because its symbol
// is rare (a noise tail reaching the top of the range), which the model's own
// surprise already judges. The contextual question is whether the symbol was
// common, the context was common, and yet the one never followed the other:
// were symbol and context independent, the pair would have been seen
// E = N_row m_b / N times (the context's, the symbol's and all counts before
// this point), and P(never) = exp(-E). The evidence is -log10 of that,
// E / ln 10 decades. A predictable series (a pattern that takes a new turn)
// makes it large; noise makes new pairs only among rare symbols, and small E.
//
// Alarm value (see alarmValue): the evidence, Bonferroni-corrected over the
// CTX_COUNTS pairs (less log10 64 = 1.81 decades), then Sidak-corrected as the
// second member looking at the same point, less its own refractory peak
// (decaying as the model's, over two days), so a persisting change alarms once
// and the two members do not suppress each other. The detector's alarm is the
// larger of the two members' values.
//
// Why the whole family of pairs: under independence each pair's first
// appearance carries evidence with P(>= d decades) = 10^-d, and every pair
// appears first once, so a series makes up to 64 such tests. The pair still
// unseen late is the unluckiest of them (it was selected by not appearing),
// so correcting by the pairs still unseen (Holm read backwards) is not
// enough: on iid Gaussian noise the last unseen pair arrived with 1.7-2.7
// decades in three of four 5,000-point series (test "rarely alarms on Gaussian
// noise"); with the full family, at most 0.84. The forgetting range re-maps
// symbols on a new extreme, which makes the pairs' rates drift a little, but
// late novelties on noise are explained by the selection alone (E = 3.8-6.1
// from the counts: a 2-6% pair rate that happened to miss).

import { ERR_INVALID_ARGUMENT, ERR_NOT_FINITE, OK } from "../util/status";
import { setBadIndex } from "../util/bytes";

/** Bits of the quantiser (3, as CAD OSE) and its symbols. */
export const CTX_BITS: i32 = 3;
export const CTX_SYMBOLS: i32 = 1 << CTX_BITS;
/** Pair counts: CTX_SYMBOLS contexts x CTX_SYMBOLS successors. */
export const CTX_COUNTS: i32 = CTX_SYMBOLS * CTX_SYMBOLS;
/** Memory of the quantiser's range, points (the alarm's conformal memory, ALARM_MEMORY). */
export const CTX_RANGE_MEMORY: f64 = 3000;
/** A pair count's ceiling (u8, saturating). */
const CTX_COUNT_MAX: u8 = 255;
const LN10: f64 = 2.302585092994046;
/** log10(CTX_COUNTS): the Bonferroni correction over the pairs, any of which could have been the novel one. */
export const CTX_FAMILY: f64 = Math.log10(<f64>CTX_COUNTS); // 1.80618 for 3 bits
/** Scalars of ContextualDetector (f64, laid out first). */
export const CTX_SCALARS: i32 = 5;

/** One series' contextual state. Scalars first (serialised in this order, CTX_SCALARS of them), then the counts. */
export class ContextualDetector {
  n: f64 = 0;
  lo: f64 = 0;
  hi: f64 = 0;
  /** The previous symbol. */
  prev: f64 = 0;
  /** Decaying peak of this member's alarm values (its refractory). */
  peak: f64 = 0;
  /** counts[CTX_SYMBOLS prev + symbol]: how often symbol followed prev (saturating, never forgotten). */
  counts: StaticArray<u8> = new StaticArray<u8>(CTX_COUNTS);

  /** Symbol of x in the forgetting range (the range is updated with x first). */
  @inline symbolOf(x: f64): i32 {
    let lo = this.lo;
    let hi = this.hi;
    if (this.n == 0) {
      lo = x;
      hi = x;
    } else {
      const d = (hi - lo) / CTX_RANGE_MEMORY;
      lo = Math.min(x, lo + d);
      hi = Math.max(x, hi - d);
    }
    this.lo = lo;
    this.hi = hi;
    const r = hi - lo;
    if (!(r > 0)) return 0;
    const s = <i32>((<f64>CTX_SYMBOLS * (x - lo)) / r);
    return s < CTX_SYMBOLS ? s : CTX_SYMBOLS - 1;
  }

  /** Learns x; returns the evidence (decades) of a novel transition into it, else 0. Called by the detector once per point. */
  push(x: f64): f64 {
    const b = this.symbolOf(x);
    const n = <i32>this.n;
    this.n = <f64>(n + 1);
    const row = <i32>this.prev << CTX_BITS;
    this.prev = <f64>b;
    const counts = this.counts;
    if (n == 0) return 0; // no context yet
    const c = unchecked(counts[row + b]);
    if (c < CTX_COUNT_MAX) unchecked((counts[row + b] = c + 1));
    if (c != 0) return 0;
    // Under independence of symbol and context the pair was expected E = N_row m_b / N times
    // (row, column and table totals before this point); P(it was never seen) = exp(-E).
    let nr: f64 = 0;
    let mb: f64 = 0;
    let nt: f64 = 0;
    for (let j = 0; j < CTX_COUNTS; j++) nt += <f64>unchecked(counts[j]);
    for (let j = 0; j < CTX_SYMBOLS; j++) {
      nr += <f64>unchecked(counts[row + j]);
      mb += <f64>unchecked(counts[(j << CTX_BITS) + b]);
    }
    nr -= 1;
    mb -= 1;
    nt -= 1;
    return nt > 0 ? (nr * mb) / nt / LN10 : 0;
  }

  /**
   * This member's alarm value for evidence e (decades, from push), given the refractory decay since
   * the last point, exp(-step / REFRACT_MS): the evidence Bonferroni-corrected over the pairs,
   * f = e - log10(CTX_COUNTS), then Sidak-corrected for the second member, -log10(1 - (1 - 10^-f)^2),
   * less the decayed peak of earlier values. Called by the detector's
   * alarm once per point.
   */
  alarmValue(e: f64, decay: f64): f64 {
    let ce: f64 = 0;
    const f = e - CTX_FAMILY; // Bonferroni over the pairs: any of them could have been the novel one
    if (f > 0) {
      ce = f - Math.log10(2 - Math.pow(10, -f));
      if (ce < 0) ce = 0;
    }
    const pk = this.peak * decay;
    this.peak = ce > pk ? ce : pk;
    return ce - pk;
  }
}

/** A fresh member for detector_context_evidence, allocated once and reset per call. */
const EVIDENCE_MEMBER = new ContextualDetector();

/**
 * Runs a fresh contextual member over n values (f64 at valPtr) and writes each point's evidence
 * (decades, as push returns it) at outPtr. For tests and documentation.
 */
export function detector_context_evidence(valPtr: usize, n: i32, outPtr: usize): i32 {
  if (n < 0) return ERR_INVALID_ARGUMENT;
  for (let i = 0; i < n; i++) {
    if (!isFinite(load<f64>(valPtr + (<usize>i << 3)))) {
      setBadIndex(i);
      return ERR_NOT_FINITE;
    }
  }
  const d = EVIDENCE_MEMBER;
  memory.fill(changetype<usize>(d), 0, <usize>CTX_SCALARS * 8);
  memory.fill(changetype<usize>(d.counts), 0, <usize>CTX_COUNTS);
  for (let i = 0; i < n; i++) store<f64>(outPtr + (<usize>i << 3), d.push(load<f64>(valPtr + (<usize>i << 3))));
  return OK;
}
