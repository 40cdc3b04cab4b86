export declare const root: string;
export interface PackageInfo {
  dir: string;
  name: string;
  version: string;
  private: boolean;
  /** Has a jsr.json. */
  jsr: boolean;
}
export interface Packed extends PackageInfo {
  tarball: string;
}
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
}
export interface CheckResult {
  ok: boolean;
  output: string;
}
export declare function tool(name: string): string;
export declare function publishablePackages(): PackageInfo[];
export declare function tarballName(pkg: { name: string; version: string }): string;
export declare function run(file: string, args: string[], options?: { cwd?: string; env?: Record<string, string>; timeout?: number }): Promise<RunResult>;
export declare function packAll(dest: string, options?: { packages?: PackageInfo[]; ignoreScripts?: boolean }): Promise<Packed[]>;
export declare function publint(tarball: string): Promise<CheckResult>;
export declare function attw(tarball: string): Promise<CheckResult>;
export declare function denoPublishDryRun(dir: string): Promise<CheckResult>;
export declare function pool<T, R>(items: T[], fn: (item: T, index: number) => Promise<R>, limit?: number): Promise<R[]>;
