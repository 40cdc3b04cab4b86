/**
 * Optional OpenTelemetry tracing without depending on it: pass the `@opentelemetry/api`
 * module (and optionally a tracer) in the server options and each MCP request gets a span.
 * @example
 * import * as otel from "@opentelemetry/api";
 * createServer({ name, version, opentelemetry: { api: otel } });
 */
export interface OpenTelemetryOptions {
  /** The `@opentelemetry/api` module. */
  api: OtelApi;
  /** Default: `api.trace.getTracer("@wisp/core")`. */
  tracer?: OtelTracer;
}

// The small part of @opentelemetry/api we use, typed structurally.
interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(error: unknown): unknown;
  end(): void;
}
interface OtelTracer {
  startSpan(name: string, options?: { kind?: number; attributes?: Record<string, string | number | boolean> }, context?: unknown): OtelSpan;
}
interface OtelApi {
  trace: { getTracer(name: string, version?: string): OtelTracer };
  context: { active(): unknown };
  propagation: { extract(context: unknown, carrier: Record<string, unknown>): unknown };
}

const SPAN_KIND_SERVER = 1;
const STATUS_ERROR = 2;

export interface SpanHandle {
  fail(error: unknown): void;
  end(): void;
}

export class Tracing {
  readonly #api: OtelApi;
  readonly #tracer: OtelTracer;

  constructor(options: OpenTelemetryOptions) {
    this.#api = options.api;
    this.#tracer = options.tracer ?? options.api.trace.getTracer("@wisp/core");
  }

  /** One span per MCP request, named by method (and tool/prompt name); continues a W3C trace from `_meta`. */
  start(method: string, params: Record<string, unknown>, attributes: Record<string, string | number | boolean>): SpanHandle {
    const name = typeof params.name === "string" ? `${method} ${params.name}` : method;
    const meta = (params._meta ?? {}) as Record<string, unknown>;
    const carrier: Record<string, unknown> = {};
    for (const key of ["traceparent", "tracestate", "baggage"]) if (typeof meta[key] === "string") carrier[key] = meta[key];
    const parent = Object.keys(carrier).length ? this.#api.propagation.extract(this.#api.context.active(), carrier) : undefined;
    const span = this.#tracer.startSpan(name, { kind: SPAN_KIND_SERVER, attributes: { "mcp.method.name": method, ...attributes } }, parent);
    return {
      fail: (error) => {
        span.recordException(error);
        span.setStatus({ code: STATUS_ERROR, message: error instanceof Error ? error.message : String(error) });
      },
      end: () => span.end(),
    };
  }
}
