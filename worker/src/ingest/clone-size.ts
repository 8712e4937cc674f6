// Upper bounds of a value's size in the structured-clone ("v8") format that
// Queues use, computed from string lengths instead of serialising: the ingest
// route sizes its queue messages with them (test/ingest-chunking.test.ts
// checks them against Node's v8.serialize).

/**
 * Bytes a string can take in the structured-clone format: a tag, a length and one byte a character
 * when the string is one-byte (Latin-1), two otherwise. `perChar` is 1 when the request body was
 * plain ASCII (every string taken from it is one-byte), else 2.
 */
export const str = (s: string, perChar: number) => 7 + s.length * perChar;
/** Any number: a tag and a double (small integers take fewer). */
export const NUM = 9;

/** Upper bound of the structured-clone size of any JSON value. */
export function cloneBound(value: unknown, perChar: number): number {
  switch (typeof value) {
    case "string":
      return str(value, perChar);
    case "number":
      return NUM;
    case "boolean":
      return 1;
    case "object": {
      if (value === null) return 1;
      let n = 12; // tag, end tag and counts
      if (Array.isArray(value)) {
        for (const x of value) n += cloneBound(x, perChar);
        return n;
      }
      for (const k in value) n += str(k, perChar) + cloneBound((value as Record<string, unknown>)[k], perChar);
      return n;
    }
    default:
      return 1;
  }
}

