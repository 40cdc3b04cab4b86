#!/usr/bin/env node
/**
 * Stages every package that has a jsr.json (packages/*, adapters/*) into a self-contained JSR
 * layout that `deno publish` accepts with no monorepo help (no root import map, no sloppy imports):
 *
 *   <out>/<dir>/deno.json   name, version (from package.json), license, exports, publish, and an
 *                           `imports` map: @wisp/x → jsr:@wisp/x@^<its version>,
 *                           npm packages → npm:<name>@<range from this package's package.json>
 *   <out>/<dir>/src/**      the published sources, relative `./x.js` specifiers rewritten to `./x.ts`
 *   <out>/<dir>/README.md, LICENSE
 *
 * Usage: node scripts/jsr/stage.mjs [--out DIR] [--only core,deno,...] [--quiet]
 * (default out: .jsr/ at the repository root). See scripts/jsr/README.md.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PACKAGE_DIRS = ["packages", "adapters"];
const SKIP_DIRS = new Set(["node_modules", "dist", ".git"]);

// ---------- finding the import specifiers (a small lexer, no parser) ----------

const REGEX_AFTER_WORD = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);
// A string literal is a module specifier when the code before it ends with `from`, `import` or `import(`.
const SPECIFIER_PREFIX = /(?:^|[^\w$.])(from|import)\s*(\(\s*)?$/;

/**
 * The module specifiers of a TypeScript/JavaScript source: `import … from "x"`, `import type … from "x"`,
 * `export … from "x"`, `import "x"` and `import("x")` with a literal. Comments, template literals
 * and regular expressions are skipped, so a specifier quoted in a doc comment or in generated
 * code (a template string) is not taken for an import.
 * @param {string} text
 * @returns {{ value: string, start: number, end: number, kind: "static" | "dynamic" }[]} start/end: the specifier without its quotes
 */
export function findSpecifiers(text) {
  /** @type {{ value: string, start: number, end: number, kind: "static" | "dynamic" }[]} */
  const found = [];
  let code = ""; // the code so far with comments, templates and regexes blanked (for the look-behind)
  let lastSignificant = ""; // last non-space code character
  let lastWord = ""; // the identifier that ended at lastSignificant, if any
  const braces = []; // open `${` of template literals: the brace depth inside each
  const n = text.length;
  let i = 0;

  const blank = (from, to) => {
    code += text.slice(from, to).replace(/[^\n]/g, " ");
  };
  const template = () => {
    // at the character after ` or after the } closing a ${ }: up to the closing ` or the next ${
    const start = i;
    while (i < n) {
      const c = text[i];
      if (c === "\\") i += 2;
      else if (c === "`") {
        i++;
        blank(start, i);
        lastSignificant = "`";
        lastWord = "";
        return;
      } else if (c === "$" && text[i + 1] === "{") {
        i += 2;
        blank(start, i);
        braces.push(0);
        lastSignificant = "{";
        lastWord = "";
        return;
      } else i++;
    }
    throw new Error("unterminated template literal");
  };

  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      const end = text.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      blank(i, stop);
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end === -1) throw new Error("unterminated comment");
      blank(i, end + 2);
      i = end + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== c) {
        if (text[j] === "\\") j++;
        else if (text[j] === "\n") throw new Error(`unterminated string at ${i}`);
        j++;
      }
      const prefix = SPECIFIER_PREFIX.exec(code.slice(-64));
      if (prefix) found.push({ value: text.slice(i + 1, j), start: i + 1, end: j, kind: prefix[1] === "import" && prefix[2] ? "dynamic" : "static" });
      code += text.slice(i, j + 1);
      i = j + 1;
      lastSignificant = c;
      lastWord = "";
    } else if (c === "`") {
      code += " ";
      i++;
      template();
    } else if (c === "}" && braces.length > 0 && braces[braces.length - 1] === 0) {
      braces.pop();
      code += " ";
      i++;
      template();
    } else if (c === "/" && regexMayStart(lastSignificant, lastWord)) {
      let j = i + 1;
      let inClass = false;
      while (j < n) {
        const d = text[j];
        if (d === "\\") j++;
        else if (d === "[") inClass = true;
        else if (d === "]") inClass = false;
        else if (d === "/" && !inClass) break;
        else if (d === "\n") throw new Error(`unterminated regular expression at ${i}`);
        j++;
      }
      j++;
      while (j < n && /[a-z]/i.test(text[j])) j++;
      blank(i, j);
      i = j;
      lastSignificant = "/";
      lastWord = "";
    } else if (/[\w$]/.test(c)) {
      let j = i;
      while (j < n && /[\w$]/.test(text[j])) j++;
      const word = text.slice(i, j);
      code += word;
      i = j;
      lastSignificant = word[word.length - 1];
      lastWord = word;
    } else {
      if (c === "{" && braces.length > 0) braces[braces.length - 1]++;
      else if (c === "}" && braces.length > 0) braces[braces.length - 1]--;
      code += c;
      i++;
      if (!/\s/.test(c)) {
        lastSignificant = c;
        lastWord = "";
      }
    }
    if (code.length > 4096) code = code.slice(-256);
  }
  return found;
}

function regexMayStart(lastSignificant, lastWord) {
  if (lastWord) return REGEX_AFTER_WORD.has(lastWord);
  return lastSignificant === "" || "(,=:[!&|?{};+-*%<>~^}".includes(lastSignificant);
}

// ---------- globs (publish.include / publish.exclude) ----------

/** `src/**\/*.ts`-style glob → RegExp over "/"-separated relative paths. */
export function globToRegExp(glob) {
  let re = "";
  const g = glob.replace(/^\.\//, "");
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === "*" && g[i + 1] === "*") {
      if (g[i + 2] === "/") {
        re += "(?:.*/)?";
        i += 2;
      } else {
        re += ".*";
        i += 1;
      }
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // a directory pattern ("src/testing") covers everything below it
  return new RegExp(`^${re}(?:/.*)?$`);
}

function walk(dir, base = dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, base, out);
    else if (entry.isFile()) out.push(relative(base, path).split(sep).join("/"));
  }
  return out;
}

// ---------- the packages ----------

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

/** Every directory of packages/* and adapters/* with a jsr.json: { dir (relative), path, jsr, pkg }. */
export function listPackages(root = repoRoot) {
  return PACKAGE_DIRS.flatMap((group) =>
    existsSync(join(root, group))
      ? readdirSync(join(root, group))
          .sort()
          .map((name) => join(root, group, name))
          .filter((path) => existsSync(join(path, "jsr.json")) && existsSync(join(path, "package.json")))
          .map((path) => ({ dir: relative(root, path).split(sep).join("/"), path, jsr: readJson(join(path, "jsr.json")), pkg: readJson(join(path, "package.json")) }))
      : [],
  );
}

/** "@scope/name/sub" → "@scope/name"; "name/sub" → "name". */
export function packageNameOf(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const isRelative = (s) => s.startsWith("./") || s.startsWith("../");
const KEEP_AS_IS = /^(node|jsr|npm|https?|data|cloudflare):/;
const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".d.ts"];

/**
 * Stages the packages. Returns one entry per package: its name, version, the staged directory,
 * the `imports` written, and the files.
 * @param {{ outDir?: string, only?: string[], root?: string, log?: (line: string) => void }} [options]
 */
export function stage(options = {}) {
  const root = options.root ?? repoRoot;
  const outDir = resolve(options.outDir ?? join(root, ".jsr"));
  const log = options.log ?? (() => {});
  const all = listPackages(root);
  const versions = new Map(all.map((p) => [p.jsr.name, p.pkg.version]));
  for (const p of all) {
    if (p.jsr.name !== p.pkg.name) throw new Error(`${p.dir}: jsr.json name ${p.jsr.name} differs from package.json name ${p.pkg.name}`);
  }
  const chosen = options.only?.length ? all.filter((p) => options.only.some((o) => p.dir.endsWith(`/${o}`) || p.jsr.name === o)) : all;
  if (options.only?.length && chosen.length !== options.only.length) throw new Error(`unknown package in --only ${options.only.join(",")}`);
  mkdirSync(outDir, { recursive: true });
  const results = [];
  for (const p of chosen) {
    const target = join(outDir, p.dir.split("/").pop());
    // A staged directory has no package.json: refuse to wipe anything else (e.g. --out packages).
    if (existsSync(join(target, "package.json"))) throw new Error(`${target} holds a package.json: not a staging directory, choose another --out`);
    rmSync(target, { recursive: true, force: true });
    results.push(stageOne(p, target, versions, root));
    log(`staged ${p.jsr.name}@${p.pkg.version} → ${relative(process.cwd(), target) || "."}`);
  }
  writeWorkspace(outDir);
  return results;
}

/**
 * <out>/deno.json: a Deno workspace of every staged package in <out>, so `deno publish` there
 * publishes them together (dependencies first) and their `jsr:@wisp/*` imports resolve to each
 * other before they are on jsr.io. Kept as is if <out>/deno.json exists and is not a workspace.
 */
export function writeWorkspace(outDir, extraMembers = []) {
  const path = join(outDir, "deno.json");
  const existing = existsSync(path) ? readJson(path) : undefined;
  if (existing && !existing.workspace) return;
  const staged = readdirSync(outDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(outDir, e.name, "deno.json")) && readJson(join(outDir, e.name, "deno.json")).name?.startsWith("@wisp/"))
    .map((e) => `./${e.name}`);
  const members = [...new Set([...staged, ...extraMembers])].sort();
  writeFileSync(path, `${JSON.stringify({ ...existing, workspace: members }, null, 2)}\n`);
}

function stageOne({ dir, path, jsr, pkg }, target, versions, root) {
  const problems = [];
  const notes = [];
  const include = (jsr.publish?.include ?? ["**"]).map(globToRegExp);
  const exclude = (jsr.publish?.exclude ?? []).map(globToRegExp);
  const files = walk(path)
    .filter((f) => include.some((re) => re.test(f)) && !exclude.some((re) => re.test(f)))
    .sort();
  const fileSet = new Set(files);
  const declared = { ...pkg.optionalDependencies, ...pkg.peerDependencies, ...pkg.dependencies };
  /** @type {Record<string, string>} */
  const imports = {};
  let rewritten = 0;

  for (const file of files) {
    const from = join(path, file);
    const to = join(target, file);
    mkdirSync(dirname(to), { recursive: true });
    if (!/\.(m?ts|tsx|m?js)$/.test(file)) {
      copyFileSync(from, to);
      continue;
    }
    const text = readFileSync(from, "utf8");
    let specifiers;
    try {
      specifiers = findSpecifiers(text);
    } catch (error) {
      throw new Error(`${dir}/${file}: ${error.message}`);
    }
    let out = "";
    let at = 0;
    for (const s of specifiers) {
      let value = s.value;
      if (isRelative(value)) {
        value = resolveRelative(file, value, path, fileSet, (why) => problems.push(`${dir}/${file}: "${s.value}" ${why}`));
      } else if (!KEEP_AS_IS.test(value)) {
        const name = packageNameOf(value);
        if (name.startsWith("@wisp/")) {
          if (!versions.has(name)) problems.push(`${dir}/${file}: imports ${name}, which has no jsr.json`);
          else if (!declared[name]) problems.push(`${dir}/${file}: imports ${name}, missing from package.json dependencies`);
          else imports[name] = `jsr:${name}@^${versions.get(name)}`;
        } else if (!declared[name]) {
          problems.push(`${dir}/${file}: imports ${name}, missing from package.json (dependencies/peerDependencies)`);
        } else if (!imports[name]) {
          const { range, note } = denoRange(name, declared[name], [path, root]);
          if (note) notes.push(`${name}: ${note}`);
          imports[name] = `npm:${name}@${range}`;
        }
      }
      if (value !== s.value) rewritten++;
      out += text.slice(at, s.start) + value;
      at = s.end;
    }
    writeFileSync(to, out + text.slice(at));
  }

  // Exports must point at staged files.
  const exportsMap = typeof jsr.exports === "string" ? { ".": jsr.exports } : (jsr.exports ?? {});
  for (const [key, file] of Object.entries(exportsMap)) {
    if (!fileSet.has(file.replace(/^\.\//, ""))) problems.push(`${dir}: export "${key}" → ${file} is not among the published files`);
  }
  if (problems.length) throw new Error(`${jsr.name} cannot be staged:\n  ${problems.join("\n  ")}`);

  const license = ["LICENSE", "LICENSE.md"].map((f) => join(path, f)).find(existsSync) ?? join(root, "LICENSE");
  const extra = [];
  if (existsSync(license)) {
    copyFileSync(license, join(target, "LICENSE"));
    extra.push("LICENSE");
  }
  const sortedImports = Object.fromEntries(Object.entries(imports).sort(([a], [b]) => a.localeCompare(b)));
  const config = {
    name: jsr.name,
    version: pkg.version,
    ...(jsr.license ? { license: jsr.license } : {}),
    exports: jsr.exports,
    imports: sortedImports,
    publish: {
      include: [...new Set([...(jsr.publish?.include ?? ["**"]), ...extra])],
      ...(jsr.publish?.exclude?.length ? { exclude: jsr.publish.exclude } : {}),
    },
  };
  writeFileSync(join(target, "deno.json"), `${JSON.stringify(config, null, 2)}\n`);
  return { name: jsr.name, version: pkg.version, source: dir, dir: target, imports: sortedImports, files: [...files, ...extra, "deno.json"], rewritten, notes };
}

/** "./serve.js" → "./serve.ts" when serve.ts is published; an error when the target is not published. */
function resolveRelative(file, specifier, pkgPath, fileSet, problem) {
  const base = posix.dirname(file);
  const target = posix.normalize(posix.join(base, specifier));
  if (target.startsWith("../")) {
    problem("points outside the package");
    return specifier;
  }
  if (fileSet.has(target)) return specifier;
  if (/\.(m?js|jsx)$/.test(target)) {
    const stem = target.replace(/\.(m?js|jsx)$/, "");
    for (const ext of SOURCE_EXTENSIONS) {
      if (fileSet.has(stem + ext)) return specifier.replace(/\.(m?js|jsx)$/, ext);
    }
  }
  const onDisk = existsSync(join(pkgPath, target)) || SOURCE_EXTENSIONS.some((ext) => existsSync(join(pkgPath, target.replace(/\.(m?js|jsx)$/, "") + ext)));
  problem(onDisk ? "is excluded from publishing (publish.exclude) but a published file imports it" : "does not exist (no such .ts/.js file)");
  return specifier;
}

// ---------- npm ranges Deno accepts in a specifier ----------

// Deno's npm:/jsr: specifiers take one range: ^x.y.z, ~x.y.z, x.y.z, x, x.y, x.x, * or a tag.
// Comparators (>=0.25), unions (^5 || ^6) and hyphen ranges are rejected (denoland/deno#26587).
const DENO_RANGE = /^(?:[\^~]?\d+(?:\.\d+){0,2}(?:-[\w.]+)?|\d+(?:\.\d+)?\.[x*]|\*|[a-z][\w-]*)$/;

/**
 * The range for `npm:<name>@<range>`: the package.json range when Deno accepts it; otherwise
 * `^<version installed in the repository>` (the version the tests ran against), which must
 * satisfy the package.json range; `note` says what was translated.
 */
export function denoRange(name, range, searchDirs) {
  const trimmed = range.trim();
  if (DENO_RANGE.test(trimmed)) return { range: trimmed };
  const installed = searchDirs.map((d) => join(d, "node_modules", name, "package.json")).find(existsSync);
  if (!installed) throw new Error(`npm:${name}@${range}: Deno cannot take this range and ${name} is not installed to pick a version from (npm ci)`);
  const version = readJson(installed).version;
  if (!satisfies(version, trimmed)) throw new Error(`npm:${name}@${range}: Deno cannot take this range and the installed ${name}@${version} is outside it`);
  return { range: `^${version}`, note: `"${range}" is not a range Deno accepts in a specifier; using ^${version} (installed)` };
}

const parseVersion = (v) => {
  const m = /^v?(\d+|[x*])(?:\.(\d+|[x*]))?(?:\.(\d+|[x*]))?(?:-([\w.]+))?$/i.exec(v.trim());
  if (!m) throw new Error(`cannot read version "${v}"`);
  const n = (x) => (x === undefined || /[x*]/i.test(x) ? undefined : Number(x));
  return { parts: [n(m[1]), n(m[2]), n(m[3])], pre: m[4] };
};
const compare = (a, b) => {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

/** npm semver `satisfies` for the usual forms (||, space-joined comparators, ^ ~ >= > <= < =, x-ranges); no prereleases. */
export function satisfies(version, range) {
  const v = parseVersion(version);
  if (v.pre) return false;
  return range.split("||").some((set) =>
    set
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .every((comparator) => {
        const m = /^(\^|~|>=|<=|>|<|=)?(.*)$/.exec(comparator);
        const op = m[1] ?? "";
        if (/^[x*]?$/i.test(m[2])) return true;
        const { parts } = parseVersion(m[2]);
        const given = parts.filter((p) => p !== undefined).length;
        const low = parts.map((p) => p ?? 0);
        const c = compare(v.parts, low);
        const bump = (i) => low.map((p, j) => (j < i ? p : j === i ? p + 1 : 0));
        switch (op) {
          case ">=": return c >= 0;
          case ">": return c > 0;
          case "<=": return c <= 0;
          case "<": return c < 0;
          case "~": return c >= 0 && compare(v.parts, bump(given > 1 ? 1 : 0)) < 0;
          case "^": {
            const first = low[0] !== 0 || given === 1 ? 0 : low[1] !== 0 || given === 2 ? 1 : 2;
            return c >= 0 && compare(v.parts, bump(first)) < 0;
          }
          default: return given === 3 ? c === 0 : c >= 0 && compare(v.parts, bump(given - 1)) < 0;
        }
      }),
  );
}

// ---------- CLI ----------

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (flag) => {
    const at = args.indexOf(flag);
    return at === -1 ? undefined : args[at + 1];
  };
  if (args.includes("--help") || args.includes("-h")) {
    console.log("node scripts/jsr/stage.mjs [--out DIR] [--only core,deno,...] [--quiet]");
    process.exit(0);
  }
  try {
    const staged = stage({ outDir: value("--out"), only: value("--only")?.split(","), log: args.includes("--quiet") ? undefined : console.log });
    if (!args.includes("--quiet")) {
      for (const s of staged) {
        console.log(`  ${s.name}: ${Object.entries(s.imports).map(([k, v]) => `${k} → ${v}`).join(", ") || "no imports"}`);
        for (const note of s.notes) console.log(`    note: ${note}`);
      }
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

