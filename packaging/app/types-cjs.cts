// A CommonJS TypeScript module: `require()` of the ESM-only packages type-checks under
// `module: nodenext` (TypeScript ≥ 5.8, matching Node ≥ 20.19 / 22.12).
import core = require("@wisp/core");
import node = require("@wisp/node");

export const server = core.createServer({ name: "cjs", version: "1.0.0" }).tool("ping", { description: "Replies pong" }, () => "pong");
export const serve: typeof node.serve = node.serve;
