// Where the CLI writes results: a file (--out) or standard output.
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";

/** A line sink that respects back-pressure and closes cleanly. */
export interface LineWriter {
  write(line: string): Promise<void>;
  close(): Promise<void>;
}

/** Lines to `path` (parent folders created), or to stdout when `path` is undefined. */
export function openOutput(path: string | undefined): LineWriter {
  let stream: WriteStream | NodeJS.WriteStream;
  if (path) {
    mkdirSync(dirname(path), { recursive: true });
    stream = createWriteStream(path, "utf8");
  } else {
    stream = process.stdout;
  }
  let buffer = "";
  const flush = () =>
    new Promise<void>((resolve, reject) => {
      const chunk = buffer;
      buffer = "";
      if (chunk === "") return resolve();
      if (stream.write(chunk)) resolve();
      else {
        stream.once("drain", resolve);
        stream.once("error", reject);
      }
    });
  return {
    async write(line: string) {
      buffer += `${line}\n`;
      if (buffer.length > 1 << 16) await flush();
    },
    async close() {
      await flush();
      if (path) await new Promise<void>((resolve, reject) => (stream as WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
    },
  };
}
