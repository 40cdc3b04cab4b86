// CommonJS: require() of every entry point of every package (Node ≥ 20.19 / 22.12 load ESM this way).
const { readFileSync } = require("node:fs");
const path = require("node:path");

const packages = JSON.parse(process.argv[2]);
const skip = JSON.parse(process.argv[3] ?? "{}");
const loaded = {};
for (const name of packages) {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, "node_modules", name, "package.json"), "utf8"));
  for (const subpath of Object.keys(pkg.exports)) {
    if (subpath === "./package.json") continue;
    const specifier = subpath === "." ? name : `${name}/${subpath.slice(2)}`;
    if (skip[specifier]) continue;
    const mod = require(specifier);
    const keys = Object.keys(mod);
    if (keys.length === 0) throw new Error(`require("${specifier}") has no exports`);
    loaded[specifier] = keys.length;
  }
}

// And the core works from CommonJS: one tools/call through server.handle().
const { createServer } = require("@wisp/core");
const v = require("valibot");
const server = createServer({ name: "packaging-cjs", version: "1.0.0" }).tool(
  "add",
  { description: "Adds two numbers", input: v.object({ a: v.number(), b: v.number() }) },
  ({ a, b }) => String(a + b),
);
// call.mjs is ESM too: require() loads it the same way.
const { addRequest, readMessage } = require("./call.mjs");
server
  .handle(addRequest("http://127.0.0.1/mcp", 20, 22))
  .then(readMessage)
  .then((reply) => console.log(JSON.stringify({ loaded, ...reply })));
