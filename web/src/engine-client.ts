// The page's handle on the engine's Web Worker (one per page).
import * as Comlink from "comlink";
import type { EngineWorker } from "./engine.worker";

/** The engine running in a Web Worker, called through comlink. */
export const engineWorker = Comlink.wrap<EngineWorker>(new Worker(new URL("./engine.worker.ts", import.meta.url), { type: "module" }));
