import { InputRequired } from "../context/wire.js";
import { McpError } from "../protocol/errors.js";
import type { Call, MethodHandler } from "./call.js";
import { withMiddleware } from "../server/middleware.js";

/**
 * Runs one method call the same way on both eras: tracing span, middleware chain, handler.
 * Failures that are not deliberate protocol errors are reported as `exception` telemetry.
 */
export async function invoke(call: Call, handler: MethodHandler): Promise<Record<string, unknown>> {
  const { server, ctx } = call;
  const span = server.tracing?.start(ctx.request.method, call.params, {
    "mcp.protocol.version": call.version,
    ...(ctx.session.id ? { "mcp.session.id": ctx.session.id } : {}),
  });
  try {
    return await withMiddleware(server.middleware, ctx.request.method, ctx, () => handler(call));
  } catch (error) {
    if (!(error instanceof McpError) && !(error instanceof InputRequired)) server.reportException(ctx, error);
    if (!(error instanceof InputRequired)) span?.fail(error);
    throw error;
  } finally {
    span?.end();
  }
}
