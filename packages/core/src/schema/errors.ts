/**
 * Thrown when a schema itself is unusable (cannot be converted, unsupported dialect, external
 * $ref...). Bad *values* never throw: they come back as issues from `validate`.
 */
export class SchemaError extends Error {
  override name = "SchemaError";
  /** The Standard Schema vendor ("zod", "valibot", ...) when the schema came from a library. */
  readonly vendor: string | undefined;

  constructor(message: string, options?: { cause?: unknown; vendor?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.vendor = options?.vendor;
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
