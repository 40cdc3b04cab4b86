import { Context, isLogLevel } from "../context/context.js";
import { pinnedHost, principalOf } from "../context/host.js";
import { httpTransport } from "../context/transport.js";
import { InputRequired } from "../context/wire.js";
import { invoke } from "../features/invoke.js";
import { type Call, methodHandlers } from "../features/methods.js";
import { missingScopeError, scopeCheckReady } from "../features/scopes.js";
import { type Incoming, type Outcome, accepted, jsonOutcome, refusedOutcome } from "../http/exchange.js";
import { shuttingDown } from "../http/handler.js";
import { ErrorCode, HttpError, McpError } from "../protocol/errors.js";
import { type RequestId, errorMessage, isResponse, resultMessage, toMcpError, toMessage } from "../protocol/jsonrpc.js";
import { META } from "../protocol/meta.js";
import { INPUT_ROUND_METHODS, REMOVED_IN_STATELESS, TASK_METHODS } from "../protocol/methods.js";
import { MODERN_VERSIONS, isModernVersion } from "../protocol/versions.js";
import { isObject } from "../util/is-object.js";
import { StatelessCallResponse } from "./call-response.js";
import { checkParamHeaders, checkStandardHeaders } from "./mcp-headers/checks.js";
import { completeMessage, discover, serverMeta } from "./results.js";
import type { StatelessState } from "./state.js";
import { declaresTasks, tasksRequired } from "./tasks/capability.js";

/**
 * A stateless 2026-07-28 request: everything the server needs is in this one POST.
 * The checks run in the order the protocol checklist gives (§3.2), because clients
 * and the conformance suite tell the errors apart by code.
 */
/** The tasks extension, loaded on the first task-capable call or tasks/* request. */
const loadTasks = () => import("./tasks/index.js");
/** `subscriptions/listen`, loaded on its first request. */
const loadListen = () => import("./listen.js");

export async function statelessPost(state: StatelessState, body: unknown, incoming: Incoming): Promise<Outcome> {
  const message = toMessage(body);
  if (isResponse(message)) throw new McpError(ErrorCode.InvalidRequest, "Invalid request: clients send no JSON-RPC responses in protocol 2026-07-28");
  const id: RequestId | null = "id" in message ? message.id : null;
  const fail = (status: number, code: number, text: string, data?: unknown) =>
    jsonOutcome(status, incoming.responseHeaders, errorMessage(id, new McpError(code, text, data)));
  const { exchange, host, responseHeaders } = incoming;
  const params = message.params ?? {};
  const meta = params._meta as Record<string, unknown>;
  const version = meta[META.protocolVersion];

  if (typeof version !== "string") return fail(400, ErrorCode.InvalidParams, `Invalid params: _meta["${META.protocolVersion}"] must be a string`);
  if (!isObject(meta[META.clientCapabilities])) {
    return fail(400, ErrorCode.InvalidParams, `Invalid params: _meta["${META.clientCapabilities}"] is required (an object; {} when the client has none)`);
  }
  // The header rules are Streamable HTTP rules; stdio has no headers to check.
  const overHttp = host?.transport?.type !== "stdio";
  const headerVersion = exchange.header("mcp-protocol-version")?.trim();
  if (overHttp && headerVersion !== version) {
    return fail(400, ErrorCode.HeaderMismatch, `Header mismatch: MCP-Protocol-Version is ${headerVersion === undefined ? "missing" : `"${headerVersion}"`} but _meta says "${version}"`);
  }
  if (!isModernVersion(version)) {
    return fail(400, ErrorCode.UnsupportedProtocolVersion, `Unsupported protocol version: ${version}`, { supported: [...MODERN_VERSIONS], requested: version });
  }
  const headerProblem = overHttp ? checkStandardHeaders(message.method, params, (name) => exchange.header(name)) : null;
  if (headerProblem) return fail(400, ErrorCode.HeaderMismatch, `Header mismatch: ${headerProblem}`);
  if (id === null) return accepted(responseHeaders); // stateless: a notification changes nothing
  const logLevel = meta[META.logLevel];
  if (logLevel !== undefined && !isLogLevel(logLevel)) {
    return fail(400, ErrorCode.InvalidParams, `Invalid params: _meta["${META.logLevel}"] must be one of debug, info, notice, warning, error, critical, alert, emergency`);
  }

  const { server } = state;
  const method = message.method;
  if (method === "server/discover") return jsonOutcome(200, responseHeaders, resultMessage(id, discover(server)));
  if (method === "subscriptions/listen") {
    if (!incoming.canStream) return fail(406, ErrorCode.BadRequest, "Not Acceptable: subscriptions/listen answers with an event stream; add text/event-stream to Accept");
    const listening = await loadListen().catch((error: unknown) => {
      console.error("[wisp] subscriptions/listen could not be loaded:", error);
      return undefined;
    });
    if (!listening) return fail(500, ErrorCode.InternalError, "Internal error: subscriptions/listen could not be loaded");
    // close() may have begun while it loaded: a stream opened now would outlive the shutdown.
    if (state.closing) throw shuttingDown();
    return listening.listen(state, id, params, responseHeaders);
  }
  const capabilities = meta[META.clientCapabilities] as Record<string, unknown>;
  const principal = principalOf(host);
  if (TASK_METHODS.has(method) && server.hasTaskTools) {
    if (!declaresTasks(capabilities)) return fail(400, tasksRequired().code, tasksRequired().message, tasksRequired().data);
    const tasks = await loadTasks().catch(() => undefined);
    if (!tasks) return fail(500, ErrorCode.InternalError, "Internal error: the tasks extension could not be loaded");
    return jsonOutcome(200, responseHeaders, await tasks.taskMethod(state, id, method, params, principal));
  }
  const handler = REMOVED_IN_STATELESS.has(method) ? undefined : methodHandlers.get(method);
  if (!handler) {
    const why = REMOVED_IN_STATELESS.has(method) ? `${method} is not part of protocol ${version}` : method;
    return fail(404, ErrorCode.MethodNotFound, `Method not found: ${why}`);
  }
  const matching = scopeCheckReady(server, method);
  if (matching) await matching;
  const refused = missingScopeError(server, method, params, host);
  if (refused) return refusedOutcome(id, refused, responseHeaders);
  const tool = method === "tools/call" && typeof params.name === "string" ? server.tools.get(params.name) : undefined;
  const asTask = tool?.config.task !== undefined && tool.config.era !== "legacy" && declaresTasks(capabilities);
  if (tool?.config.task === "required" && !asTask && tool.config.era !== "legacy") {
    const error = tasksRequired();
    return fail(400, error.code, error.message, error.data);
  }
  if (tool && overHttp) {
    const problem = tool?.paramHeaders.length ? checkParamHeaders(tool.paramHeaders, params.arguments as Record<string, unknown> | undefined, (name) => exchange.header(name)) : null;
    if (problem) return fail(400, ErrorCode.HeaderMismatch, `Header mismatch: ${problem}`);
  }

  // Input rounds: answers from earlier rounds ride in the signed requestState.
  // Null prototype: client-chosen keys such as "__proto__" stay plain keys.
  const answers: Record<string, unknown> = Object.create(null);
  let digest: string | undefined;
  let unclaim: (() => Promise<void>) | undefined;
  if (INPUT_ROUND_METHODS.has(method)) {
    if ("inputResponses" in params && !isObject(params.inputResponses)) {
      return fail(200, ErrorCode.InvalidParams, "Invalid params: inputResponses must be an object keyed like inputRequests");
    }
    try {
      if (params.requestState !== undefined) {
        // Only a retry pays for canonicalising and hashing the params.
        const { sealer, paramsDigest } = await state.requestState();
        digest = await paramsDigest(method, params);
        const opened = await sealer.open(params.requestState, { method, digest, principal }, state.claimRequestState);
        Object.assign(answers, opened.payload.a);
        unclaim = opened.unclaim;
      }
    } catch (error) {
      // Storage unreachable (503), or anything that is no verdict on the state (a module that
      // failed to load): not the client's fault, and its message is not the client's to read.
      if (error instanceof HttpError || !(error instanceof McpError)) throw error;
      return fail(200, ErrorCode.InvalidParams, error.message);
    }
    if (isObject(params.inputResponses)) for (const [key, value] of Object.entries(params.inputResponses)) answers[key] = value;
  }

  // A task outlives this response: what it may read of the host is read now.
  const callHost = asTask ? pinnedHost(host) : host;
  return new Promise<Outcome>((resolve) => {
    const wire = new StatelessCallResponse({ id, method, inFlight: state.inFlight, headers: responseHeaders, canStream: incoming.canStream, keepAlive: server.options.sse.keepAlive, maxBuffered: server.options.sse.maxBuffered, answers, resolve, exchange });
    const ctx = new Context({
      assigns: { ...host?.assigns },
      auth: host?.auth,
      request: { id, method, params },
      session: {
        id: undefined,
        clientInfo: meta[META.clientInfo] as Context["session"]["clientInfo"],
        clientCapabilities: meta[META.clientCapabilities] as Context["session"]["clientCapabilities"],
        protocolVersion: version,
        era: "modern",
      },
      initialized: true,
      paginationLimit: server.options.paginationLimit,
      transport: () => callHost?.transport ?? httpTransport(exchange.url, exchange.headers(), callHost?.remoteIp),
      wire,
      logLevel: logLevel as string | undefined,
    });
    const call: Call = { server, ctx, params, version, era: "modern", resourceNotFoundCode: ErrorCode.InvalidParams };
    const respondWithError = async (error: unknown) => {
      if (error instanceof InputRequired && Object.keys(wire.pending).length > 0) {
        const { sealer, paramsDigest } = await state.requestState();
        digest ??= await paramsDigest(method, params);
        const requestState = await sealer.seal({ exp: Date.now() + server.options.requestStateTtl, m: method, d: digest, p: principal, a: { ...answers } }, overHttp);
        wire.finish(200, resultMessage(id, { resultType: "input_required", inputRequests: wire.pending, requestState, _meta: serverMeta(server) }));
        return;
      }
      // The retry failed (an answer that breaks its schema, say): its requestState may be sent again.
      if (unclaim) await unclaim().catch(() => {});
      const mcpError = error instanceof InputRequired ? new McpError(ErrorCode.InternalError, "Internal error") : toMcpError(error);
      wire.finish(wire.streaming ? 200 : statusOf(mcpError.code), errorMessage(id, mcpError));
    };
    // Whatever goes wrong while encoding (a circular or BigInt result, a storage failure while
    // sealing state) still ends the request with a JSON-RPC error instead of leaving it hanging.
    const failed = (error: unknown) => {
      // A deliberate error (params too deep to seal into requestState) is the client's to read.
      if (error instanceof McpError) return wire.finish(200, errorMessage(id, error));
      server.reportException(ctx, error);
      wire.finish(200, errorMessage(id, new McpError(ErrorCode.InternalError, "Internal error")));
    };
    const answer = (outcome: { result: Record<string, unknown> } | { error: unknown }): Promise<void> | undefined => {
      if (!("result" in outcome)) return respondWithError(outcome.error).catch(failed);
      // A complete result, the usual case, is answered without a promise.
      try {
        wire.finish(200, completeMessage(server, id, method, params, outcome.result));
      } catch (error) {
        failed(error);
      }
      return undefined;
    };
    if (asTask) {
      // The handler starts now, like any call's (shutdown and callTimeout already count it);
      // the tasks code loads meanwhile and takes the running call over.
      const running = invoke(call, handler);
      running.catch(() => {}); // settled by runAsTask; this only keeps an early rejection from counting as unhandled
      loadTasks().then(({ runAsTask }) => runAsTask({ state, id, wire, principal, run: () => running, answerDirectly: answer })).catch((error) => {
        server.reportException(ctx, error);
        wire.finish(200, errorMessage(id, new McpError(ErrorCode.InternalError, "Internal error")));
      });
      return;
    }
    invoke(call, handler).then(
      (result) => answer({ result }),
      (error) => answer({ error }),
    );
  });
}

/** Transport-level errors carry their own HTTP status on the 2026 leg; handler errors stay in band. */
function statusOf(code: number): number {
  if (code === ErrorCode.MethodNotFound) return 404;
  if (code === ErrorCode.HeaderMismatch || code === ErrorCode.MissingRequiredClientCapability || code === ErrorCode.UnsupportedProtocolVersion) return 400;
  return 200;
}
