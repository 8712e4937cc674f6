// Loads a NAB-style corpus (data/<category>/<file>.csv and windows.json) and
// scores a detector's outputs on it under every profile.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { CliError, parseTimestamp } from "../csv";
import { type CorpusScore, NAB_PROFILES, type ScoredFile, scoreCorpus, windowsToRows } from "./score";

/** A corpus file: its path relative to the data directory ("<category>/<file>.csv") and full path. */
export interface CorpusFile {
  name: string;
  path: string;
}

/** Lists the CSV files of a corpus directory: `<dir>/<category>/<file>.csv`, or `<dir>/data/...`. */
export function listCorpus(dir: string): { dataDir: string; files: CorpusFile[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`no such directory: ${dir}`);
  const dataDir = existsSync(join(dir, "data")) ? join(dir, "data") : dir;
  const files: CorpusFile[] = [];
  for (const category of readdirSync(dataDir).sort()) {
    const catDir = join(dataDir, category);
    if (!statSync(catDir).isDirectory()) continue;
    for (const f of readdirSync(catDir).sort()) {
      if (f.endsWith(".csv")) files.push({ name: `${category}/${f}`, path: join(catDir, f) });
    }
  }
  if (files.length === 0) throw new CliError(`${dir} has no <category>/<file>.csv files`);
  return { dataDir, files };
}

/** Reads windows.json: {"<category>/<file>.csv": [[start, end], ...]} with timestamps as strings. */
export function readWindows(path: string): Record<string, [number, number][]> {
  if (!existsSync(path)) throw new CliError(`no such file: ${path}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new CliError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new CliError(`${path} must be an object of file -> windows`);
  const out: Record<string, [number, number][]> = {};
  for (const [file, list] of Object.entries(raw as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw new CliError(`${path}: windows of ${file} must be an array`);
    out[file] = list.map((w, i) => {
      if (!Array.isArray(w) || w.length !== 2) throw new CliError(`${path}: window ${i} of ${file} must be [start, end]`);
      const [a, b] = [parseTimestamp(String(w[0])), parseTimestamp(String(w[1]))];
      if (!Number.isFinite(a) || !Number.isFinite(b)) throw new CliError(`${path}: window ${i} of ${file} has a bad timestamp`);
      return [a, b];
    });
  }
  return out;
}

/** One file's detector output, ready to score. */
export interface DetectedFile {
  name: string;
  timestamps: Float64Array;
  scores: Float64Array;
}

/** Scores detector outputs under every NAB profile. Files missing from windows.json are an error. */
export function scoreAllProfiles(detected: DetectedFile[], windows: Record<string, [number, number][]>): Record<string, CorpusScore> {
  const files: ScoredFile[] = detected.map((d) => {
    const w = windows[d.name];
    if (!w) throw new CliError(`windows.json has no entry for ${d.name}`);
    return { name: d.name, scores: d.scores, windows: windowsToRows(d.timestamps, w) };
  });
  return Object.fromEntries(Object.entries(NAB_PROFILES).map(([name, p]) => [name, scoreCorpus(files, p)]));
}
