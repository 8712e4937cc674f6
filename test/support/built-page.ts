// A page built by Vite into a temporary folder and served on 127.0.0.1, for
// browser tests and benchmarks that drive a page of their own (not the
// Worker's dashboard) in headless Chromium.
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { basename, extname, join } from "node:path";
import { build } from "vite";

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };

/** A served build: the page's URL, and how to stop serving it. */
export interface BuiltPage {
  url: string;
  close(): void;
}

/** Builds `html` (a page in its Vite root folder) and serves the build; `url` opens that page. */
export async function serveBuiltPage(html: string): Promise<BuiltPage> {
  const root = join(html, "..");
  const outDir = mkdtempSync(join(tmpdir(), "helios-page-"));
  await build({ root, logLevel: "warn", configFile: false, worker: { format: "es" }, build: { outDir, emptyOutDir: true, target: "es2022", rollupOptions: { input: html } } });
  const server = createServer(async (req, res) => {
    try {
      const path = join(outDir, (req.url ?? "/").split("?")[0]!);
      const body = await readFile(path);
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/${basename(html)}`, close: () => server.close() };
}
