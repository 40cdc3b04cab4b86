import { InputRequired } from "../../context/wire.js";
import { taskChannel } from "../../protocol/channels.js";
import { ErrorCode, McpError } from "../../protocol/errors.js";
import { type RequestId, resultMessage, toMcpError } from "../../protocol/jsonrpc.js";
import { META, TASKS_EXTENSION } from "../../protocol/meta.js";
import { isObject } from "../../util/is-object.js";
import type { StatelessCallResponse, TaskInput } from "../call-response.js";
import type { StatelessState } from "../state.js";
import { type TaskEvent, createTaskResult, taskRecords } from "./records.js";

/**
 * Runs a task-capable tools/call. Input asked for in the handler's first turn is answered in
 * ordinary input rounds (no task yet); a handler still busy after that turn becomes a task:
 * the client gets a CreateTaskResult now and polls tasks/get for the outcome.
 */
export async function runAsTask(options: {
  state: StatelessState;
  id: RequestId;
  wire: StatelessCallResponse;
  principal: string | undefined;
  run: () => Promise<Record<string, unknown>>;
  /** Answers the request without a task (input rounds, quick results, errors). */
  answerDirectly: (outcome: { result: Record<string, unknown> } | { error: unknown }) => Promise<void> | undefined;
}): Promise<void> {
  const { state, id, wire, principal, run, answerDirectly } = options;
  const { server } = state;
  let outcome: { result: Record<string, unknown> } | { error: unknown } | undefined;
  const running = run().then(
    (result) => (outcome = { result }),
    (error) => (outcome = { error }),
  );
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (outcome) return answerDirectly(outcome);

  const store = taskRecords(state);
  const record = await store.create(principal);
  const taskId = record.taskId;
  const waiters = new Map<string, (answer: unknown) => void>();
  const checkAnswers = async () => {
    const current = await server.storage.tasks.get(taskId);
    const answers = (current?.answers ?? {}) as Record<string, unknown>;
    for (const [key, resolve] of waiters) {
      if (Object.hasOwn(answers, key)) {
        waiters.delete(key);
        resolve(answers[key]);
      }
    }
  };
  const input: TaskInput = {
    // Settles on the answer, on cancellation, or when the task record would have expired:
    // a handler never waits forever.
    requestInput: (key, method, params, signal) =>
      new Promise((resolve, reject) => {
        const stop = (error: McpError) => {
          clearTimeout(expiry);
          signal.removeEventListener("abort", onAbort);
          waiters.delete(key);
          reject(error);
        };
        const onAbort = () => stop(new McpError(ErrorCode.RequestTimeout, `${method} was abandoned: the task was cancelled`));
        const expiry = setTimeout(() => stop(new McpError(ErrorCode.RequestTimeout, `No answer to ${method} within the task's lifetime`)), record.ttlMs);
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        waiters.set(key, (answer) => {
          clearTimeout(expiry);
          signal.removeEventListener("abort", onAbort);
          resolve(answer);
        });
        void store
          .change(taskId, (task) => {
            task.status = "input_required";
            task.inputRequests = { ...task.inputRequests, [key]: { method, params } };
          })
          .then(checkAnswers)
          .catch(() => {}); // storage unreachable: the wait ends on cancel or at the task's expiry
      }),
  };
  const unsubscribe = await server.storage.bus.subscribe(taskChannel(taskId), (message) => {
    if ((message as TaskEvent).type === "cancelled") wire.abort("task cancelled by the client");
    else void checkAnswers().catch(() => {});
  });
  wire.attachTask(input);
  wire.finish(200, resultMessage(id, { ...createTaskResult(record), _meta: { [META.serverInfo]: server.info } }));

  await running;
  await unsubscribe();
  const ended = outcome!;
  await store.change(taskId, (task) => {
    if ("result" in ended) {
      task.status = "completed";
      task.result = { ...ended.result, resultType: "complete" };
    } else {
      const error = ended.error instanceof InputRequired ? new McpError(ErrorCode.InternalError, "Internal error") : toMcpError(ended.error);
      task.status = "failed";
      task.error = error.toJSON();
    }
    delete task.inputRequests;
  });
}
