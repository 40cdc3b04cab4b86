/** Types of scripts/jsr/stage.mjs, for the TypeScript tests that import it. */
export declare const repoRoot: string;

export interface Specifier {
  value: string;
  /** Offsets of the specifier in the source, without its quotes. */
  start: number;
  end: number;
  kind: "static" | "dynamic";
}
export declare function findSpecifiers(text: string): Specifier[];

export interface SourcePackage {
  /** e.g. "adapters/deno" */
  dir: string;
  path: string;
  jsr: { name: string; exports: string | Record<string, string>; publish?: { include?: string[]; exclude?: string[] }; [key: string]: unknown };
  pkg: { name: string; version: string; [key: string]: unknown };
}
export declare function listPackages(root?: string): SourcePackage[];

export interface StagedPackage {
  name: string;
  version: string;
  /** The package's directory in the repository, e.g. "adapters/deno". */
  source: string;
  /** The staged directory (absolute). */
  dir: string;
  /** The `imports` written into the staged deno.json. */
  imports: Record<string, string>;
  /** Staged files, relative to `dir`. */
  files: string[];
  /** How many specifiers were rewritten (./x.js → ./x.ts). */
  rewritten: number;
  /** Ranges translated for Deno, and similar remarks. */
  notes: string[];
}
export interface StageOptions {
  /** Default: <repo>/.jsr */
  outDir?: string;
  /** Directory names ("core", "deno") or package names ("@wisp/core"). */
  only?: string[];
  root?: string;
  log?: (line: string) => void;
}
export declare function stage(options?: StageOptions): StagedPackage[];
export declare function writeWorkspace(outDir: string, extraMembers?: string[]): void;
export declare function globToRegExp(glob: string): RegExp;
export declare function packageNameOf(specifier: string): string;
export declare function denoRange(name: string, range: string, searchDirs: string[]): { range: string; note?: string };
export declare function satisfies(version: string, range: string): boolean;
