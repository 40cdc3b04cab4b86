import type { Context } from "../context/context.js";

type Assigns = Record<string, unknown>;

/** The rest of the chain: the next middleware, or the method's handler. */
export type Next = () => Promise<Record<string, unknown>>;

/**
 * Runs around every MCP method call (after the HTTP checks, before the feature handler).
 * Return a result without calling `next` to answer early; throw `McpError` to fail the call.
 * @example
 * server.use(async (ctx, next) => {
 *   const started = performance.now();
 *   try { return await next(); } finally { console.log(ctx.request.method, performance.now() - started); }
 * });
 */
export type Middleware<A extends Assigns = Assigns> = (ctx: Context<A>, next: Next) => Promise<Record<string, unknown>>;

export interface MethodMiddleware {
  methods: ReadonlySet<string> | undefined;
  run: Middleware<any>;
}

/** Composes the middlewares that apply to `method` around `handler`; no middleware, no overhead. */
export function withMiddleware(stack: readonly MethodMiddleware[], method: string, ctx: Context<any>, handler: Next): Promise<Record<string, unknown>> {
  if (stack.length === 0) return handler();
  const applicable = stack.filter((m) => !m.methods || m.methods.has(method));
  let index = -1;
  const dispatch = (i: number): Promise<Record<string, unknown>> => {
    if (i <= index) return Promise.reject(new Error("a middleware called next() twice"));
    index = i;
    const middleware = applicable[i];
    return middleware ? middleware.run(ctx, () => dispatch(i + 1)) : handler();
  };
  return dispatch(0);
}
