// Timestamp cells of time-series CSV files, shared by the CLI and the
// dashboard's offline analysis (no Node APIs here).

/**
 * Parses a timestamp cell: ISO 8601 or "YYYY-MM-DD HH:MM:SS[.ffffff]" (taken as UTC when it has
 * no zone), or a number (epoch seconds below 1e11, epoch milliseconds above).
 */
export function parseTimestamp(cell: string): number {
  const s = cell.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  let iso = s.replace(" ", "T");
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(iso)) iso += "Z";
  // Date.parse accepts milliseconds only: cut longer fractions (NAB has microseconds).
  iso = iso.replace(/(\.\d{3})\d+/, "$1");
  return Date.parse(iso);
}
