// Dashboard entry: shows whether the server answers and loads the engine in a Web Worker.
import * as Comlink from "comlink";
import type { EngineWorker } from "./engine.worker";

const worker = Comlink.wrap<EngineWorker>(new Worker(new URL("./engine.worker.ts", import.meta.url), { type: "module" }));

function show(id: string, text: string, isError = false): void {
  const el = document.getElementById(id);
  if (!el) return;
  el.textContent = text;
  el.classList.toggle("error", isError);
}

fetch("/health")
  .then(async (res) => {
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as { engine: { version: string } };
    show("server-status", `up, engine ${body.engine.version}`);
  })
  .catch((err: unknown) => show("server-status", `not reachable (${String(err)}): is npm start running?`, true));

worker
  .version()
  .then((v) => show("browser-engine", `engine ${v} loaded in a Web Worker`))
  .catch((err: unknown) => show("browser-engine", `failed to load: ${String(err)}`, true));
