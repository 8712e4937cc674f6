// The dashboard: built from web/ into web/dist, which the Worker serves as
// static assets on the same origin as the API.
import { defineConfig } from "vite";

export default defineConfig({
  root: "web",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
  },
  worker: { format: "es" },
  server: {
    // `vite` alone (for UI work) proxies the API to a running `npm start`.
    proxy: { "/api": "http://127.0.0.1:8787", "/health": "http://127.0.0.1:8787" },
  },
});
