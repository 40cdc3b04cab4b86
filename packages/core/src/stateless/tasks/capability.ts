import { ErrorCode, McpError } from "../../protocol/errors.js";
import { TASKS_EXTENSION } from "../../protocol/meta.js";
import { isObject } from "../../util/is-object.js";

// What every 2026 request may ask about tasks, kept apart from the task code itself
// (index.ts), which loads with import() on the first task.

/** Whether the client declared the tasks extension in its `_meta` capabilities. */
export const declaresTasks = (capabilities: Record<string, unknown>): boolean =>
  isObject(capabilities.extensions) && TASKS_EXTENSION in capabilities.extensions;

/** -32021 naming the extension a task request needs. */
export const tasksRequired = () =>
  new McpError(ErrorCode.MissingRequiredClientCapability, `This request needs the ${TASKS_EXTENSION} extension; declare it in _meta clientCapabilities.extensions`, {
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });
