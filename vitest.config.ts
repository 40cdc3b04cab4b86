import { defineConfig } from "vitest/config";

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (see "wisp-source" in each package.json).
  resolve: { conditions: ["wisp-source"] },
  ssr: { resolve: { conditions: ["wisp-source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "adapters/*/src/**/*.test.ts", "examples/*/**/*.test.ts", "scripts/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
