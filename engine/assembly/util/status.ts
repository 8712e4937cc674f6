// Status codes returned by every engine export that can fail on bad input.
// Expected failures are values, never traps: the host maps them to typed
// errors (engine/src/errors.ts keeps the same table). Keep the two in sync.

/** Success. Non-negative results (counts, handles) also mean success. */
export const OK: i32 = 0;
/** A size, count or option is out of its allowed range. */
export const ERR_INVALID_ARGUMENT: i32 = -1;
/** A value is NaN or +/-Infinity. */
export const ERR_NOT_FINITE: i32 = -2;
/** A value that must be >= 0 (a latency, a count) is negative. */
export const ERR_NEGATIVE: i32 = -3;
/** Timestamps must not go backwards where the algorithm requires order. */
export const ERR_OUT_OF_ORDER: i32 = -4;
/** A preallocated buffer is full (slots, bins, trees). */
export const ERR_CAPACITY: i32 = -5;
/** A handle does not name a live object of the expected kind. */
export const ERR_BAD_HANDLE: i32 = -6;
/** Serialised bytes are truncated, of another kind or of another version. */
export const ERR_CORRUPT: i32 = -7;
/** Two objects cannot be merged (different accuracy, precision or layout). */
export const ERR_INCOMPATIBLE: i32 = -8;
/** Not enough data to compute the result (too short a series, empty sketch). */
export const ERR_INSUFFICIENT_DATA: i32 = -9;
