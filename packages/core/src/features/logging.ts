import { isLogLevel } from "../context/context.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import type { Call } from "./call.js";

/** `logging/setLevel` (2025 era): the session's threshold for `ctx.log()`. */
export async function setLevel({ params, updateSession }: Call) {
  if (!isLogLevel(params.level)) {
    throw new McpError(ErrorCode.InvalidParams, `logging/setLevel: "level" must be one of debug, info, notice, warning, error, critical, alert, emergency`);
  }
  await updateSession?.({ logLevel: params.level });
  return {};
}
