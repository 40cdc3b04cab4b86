import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * In this repository the workspace packages are TypeScript sources: `transpilePackages` compiles
 * them, and the "wisp-source" export condition points their imports at src/ (webpack reads
 * `conditionNames`, Turbopack the aliases). An app that installs @wisp/* from the registry needs none of this.
 */
/** @type {import("next").NextConfig} */
const nextConfig = {
  transpilePackages: ["@wisp/core", "@wisp/next"],
  outputFileTracingRoot: root,
  turbopack: {
    root,
    resolveAlias: {
      "@wisp/core": "../../packages/core/src/index.ts",
      "@wisp/next": "../../adapters/next/src/index.ts",
    },
  },
  webpack(config) {
    config.resolve.conditionNames = ["wisp-source", ...(config.resolve.conditionNames ?? ["..."])];
    // The sources import siblings as "./x.js" (NodeNext style) for files named x.ts.
    config.resolve.extensionAlias = { ...config.resolve.extensionAlias, ".js": [".ts", ".js"] };
    return config;
  },
};

export default nextConfig;
