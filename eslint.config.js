// Lint for the TypeScript hosts (facade, Worker, web, tests, benchmarks).
// engine/assembly is AssemblyScript: asc type-checks it when it builds.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "engine/build/",
      "worker/build/",
      "engine/assembly/",
      "worker/worker-configuration.d.ts",
      ".wrangler/",
      "web/dist/",
      "test/artifacts/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
);
