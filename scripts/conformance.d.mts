export interface CheckRow {
  scenario: string;
  id: string;
  status: 'FAILURE' | 'WARNING';
  /** one-line errorMessage or details, max 240 chars */
  message: string;
  errorMessage?: string;
  details?: unknown;
  /** a WARNING tolerated via allowWarningsIn */
  allowed: boolean;
}
export interface ScenarioCounts {
  SUCCESS: number; FAILURE: number; WARNING: number; INFO: number; SKIPPED: number; total: number;
}
export interface ConformanceResult {
  code: number;
  suiteCode: number;
  failures: CheckRow[];
  warnings: CheckRow[];
  scenarios: Record<string, ScenarioCounts>;
  summary: string;
  output: string;
  outputDir: string | null;
}
export interface RunConformanceOptions {
  url?: string;
  version?: string;
  args?: string[];
  strict?: boolean;
  allowWarningsIn?: string[];
  subcommand?: string;
  quiet?: boolean;
  printSummary?: boolean;
  keepOutput?: boolean;
}
export const DEFAULT_VERSION: string;
export const KNOWN_VERSIONS: string[];
export function runConformance(opts?: RunConformanceOptions): Promise<ConformanceResult>;
export function ensureConformance(version?: string): Promise<string>;
export function summarize(
  outputDir: string,
  opts?: { allowWarningsIn?: string[] },
): { scenarios: Record<string, ScenarioCounts>; failures: CheckRow[]; warnings: CheckRow[] };
export function parseCliArgs(argv: string[]): Record<string, unknown>;
