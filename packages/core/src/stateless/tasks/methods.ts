import { ErrorCode, McpError } from "../../protocol/errors.js";
import { type RequestId, errorMessage, resultMessage, toMcpError } from "../../protocol/jsonrpc.js";
import { isObject } from "../../util/is-object.js";
import type { StatelessState } from "../state.js";
import { detailedTask, taskRecords } from "./records.js";

/** tasks/get, tasks/update, tasks/cancel. tasks/result and tasks/list were removed (404 upstream). */
export async function taskMethod(state: StatelessState, id: RequestId, method: string, params: Record<string, unknown>, principal: string | undefined): Promise<string> {
  const store = taskRecords(state);
  try {
    if (method === "tasks/get") return resultMessage(id, detailedTask(await store.load(params.taskId, principal)));
    if (method === "tasks/update") {
      if (!isObject(params.inputResponses)) throw new McpError(ErrorCode.InvalidParams, 'tasks/update: "inputResponses" must be an object keyed like inputRequests');
      await store.answer(typeof params.taskId === "string" ? params.taskId : "", principal, params.inputResponses);
      return resultMessage(id, { resultType: "complete" });
    }
    await store.cancel(typeof params.taskId === "string" ? params.taskId : "", principal);
    return resultMessage(id, { resultType: "complete" });
  } catch (error) {
    return errorMessage(id, toMcpError(error));
  }
}
