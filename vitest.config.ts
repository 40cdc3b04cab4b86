import { defineConfig } from "vitest/config";

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (see "wisp-source" in each package.json).
  resolve: { conditions: ["wisp-source"] },
  ssr: { resolve: { conditions: ["wisp-source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "adapters/*/src/**/*.test.ts", "examples/*/**/*.test.ts", "scripts/**/*.test.ts", "reliability/**/*.test.ts", "packaging/**/*.test.ts"],
    testTimeout: 20_000,
    // The default output, then one line per failed test at the very end (CI keeps the tail).
    reporters: ["default", "./test-kit/failure-summary.ts"],
    hookTimeout: 60_000,
  },
});
