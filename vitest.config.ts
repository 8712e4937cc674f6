// Two test projects: engine and tooling tests in Node, and Worker tests inside
// workerd with real local D1, R2 and Queues bindings (vitest-pool-workers).
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("worker/migrations");
  return {
    test: {
      projects: [
        {
          test: {
            name: "node",
            environment: "node",
            include: ["engine/test/**/*.test.ts", "test/**/*.test.ts"],
            exclude: ["test/**/*.workers.test.ts"],
            testTimeout: 30_000,
          },
        },
        {
          plugins: [
            cloudflareTest({
              main: "./worker/src/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: { bindings: { TEST_MIGRATIONS: migrations } },
            }),
          ],
          test: {
            name: "workers",
            include: ["worker/test/**/*.test.ts", "test/**/*.workers.test.ts"],
            setupFiles: ["./worker/test/apply-migrations.ts"],
            globalSetup: ["./test/parity.global-setup.ts", "./test/webhook-receiver.global-setup.ts"],
          },
        },
      ],
    },
  };
});
