// Runs the packaging test alone: `npm run test:packaging` (vitest run -c packaging/vitest.config.ts).
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import base from "../vitest.config.ts";

export default defineConfig({
  ...base,
  root: join(import.meta.dirname, ".."),
  test: { ...base.test, include: ["packaging/**/*.test.ts"] },
});
