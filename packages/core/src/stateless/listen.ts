import { type Outcome, jsonOutcome } from "../http/exchange.js";
import { SSE_HEADERS, SseWriter } from "../http/sse.js";
import { BROADCAST_CHANNEL } from "../protocol/channels.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import { type RequestId, errorMessage, notificationMessage, resultMessage } from "../protocol/jsonrpc.js";
import { META } from "../protocol/meta.js";
import type { StatelessState } from "./state.js";
import { merged, withField } from "../util/merged.js";

/** Which opt-in flag lets each notification through. */
const FLAG_OF: Record<string, "toolsListChanged" | "promptsListChanged" | "resourcesListChanged"> = {
  "notifications/tools/list_changed": "toolsListChanged",
  "notifications/prompts/list_changed": "promptsListChanged",
  "notifications/resources/list_changed": "resourcesListChanged",
};

interface Honoured {
  toolsListChanged?: true;
  promptsListChanged?: true;
  resourcesListChanged?: true;
  resourceSubscriptions?: string[];
}

/**
 * `subscriptions/listen` (2026-07-28): an SSE stream that first acknowledges what it will
 * deliver, then carries only those notifications, each tagged with the subscription id.
 * Notifications arrive over the storage bus, so a change on any instance reaches every listener.
 */
export async function listen(state: StatelessState, id: RequestId, params: Record<string, unknown>, headers: Record<string, string>): Promise<Outcome> {
  const wanted = params.notifications;
  if (typeof wanted !== "object" || wanted === null || Array.isArray(wanted)) {
    return jsonOutcome(200, headers, errorMessage(id, new McpError(ErrorCode.InvalidParams, 'subscriptions/listen: "notifications" must be an object of the notifications you want')));
  }
  const { server } = state;
  const capabilities = server.capabilities("modern") as Record<string, unknown>;
  const request = wanted as Record<string, unknown>;
  const honoured: Honoured = {};
  if (request.toolsListChanged === true && capabilities.tools) honoured.toolsListChanged = true;
  if (request.promptsListChanged === true && capabilities.prompts) honoured.promptsListChanged = true;
  if (request.resourcesListChanged === true && capabilities.resources) honoured.resourcesListChanged = true;
  if (Array.isArray(request.resourceSubscriptions) && capabilities.resources) {
    honoured.resourceSubscriptions = request.resourceSubscriptions.filter((uri): uri is string => typeof uri === "string");
  }
  const tag = { [META.subscriptionId]: id };
  let unsubscribe: (() => Promise<void>) | undefined;
  const end = () => {
    // A server-side end says so with the closing result; a client that went away gets nothing.
    writer.event(resultMessage(id, { resultType: "complete", _meta: tag }));
    writer.close();
  };
  const writer = new SseWriter({
    keepAlive: server.options.sse.keepAlive,
    maxBuffered: server.options.sse.maxBuffered,
    onClose: () => {
      state.endOnShutdown.delete(end);
      void unsubscribe?.().catch(() => {});
    },
  });
  state.endOnShutdown.add(end);
  writer.event(notificationMessage("notifications/subscriptions/acknowledged", { _meta: tag, notifications: honoured }));
  try {
    unsubscribe = await server.storage.bus.subscribe(BROADCAST_CHANNEL, (message) => {
      const { method, params: notificationParams } = message as { method: string; params?: { uri?: string } };
      const flag = FLAG_OF[method];
      const deliver = flag
        ? honoured[flag] === true
        : method === "notifications/resources/updated" && honoured.resourceSubscriptions?.includes(notificationParams?.uri ?? "") === true;
      if (deliver) writer.event(notificationMessage(method, withField(notificationParams, "_meta", tag)));
    });
  } catch (error) {
    writer.close(); // storage unreachable: no stream is left registered for shutdown
    throw error;
  }
  if (!writer.open) void unsubscribe().catch(() => {});
  return { status: 200, headers: merged(headers, SSE_HEADERS), body: writer.body };
}
