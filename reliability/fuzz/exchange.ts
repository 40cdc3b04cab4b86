/** Runs one plan against a target: resolve its sessions, send each step, judge each answer. */
import { materialize } from "./materialize.js";
import type { Plan, SessionFacts, TargetName, Violation, WireRequest, WireResponse } from "./model.js";
import { judge } from "./oracle/check.js";
import { isRecord, isValidId } from "./oracle/envelope.js";
import type { OwnSession, SessionPool } from "./sessions.js";
import type { Target } from "./targets/http.js";
import type { ReadPolicy } from "./targets/read.js";

export interface StepRecord {
  request: WireRequest;
  response: WireResponse;
  session: SessionFacts;
  /** The oracle rule the answer satisfied. */
  matched?: string;
}

/** The id whose response ends the request's event stream, when the body is a request. */
function policyFor(request: WireRequest): ReadPolicy {
  if (request.method !== "POST" || !request.body) return {};
  try {
    const message = JSON.parse(new TextDecoder().decode(request.body)) as unknown;
    // subscriptions/listen answers with a stream that stays open: it is watched, not awaited.
    if (isRecord(message) && typeof message.method === "string" && message.method !== "subscriptions/listen" && isValidId(message.id)) return { finalId: message.id };
  } catch {
    // not JSON: no stream will follow
  }
  return {};
}

export interface PlanOutcome {
  steps: StepRecord[];
  violations: Violation[];
}

export async function runPlan(plan: Plan, target: Target, sessions: SessionPool): Promise<PlanOutcome> {
  const own: OwnSession = {};
  const outcome: PlanOutcome = { steps: [], violations: [] };
  const name: TargetName = target.name;
  for (const step of plan.steps) {
    let resolved;
    try {
      resolved = await sessions.resolve(step.session, own);
    } catch {
      return outcome; // recorded by the pool as a setup failure
    }
    const request = materialize(step, { sessionId: resolved.sessionId, sessionVersion: resolved.facts.version });
    const response = await target.send(request, policyFor(request));
    const { findings, matched } = judge({ target: name, request, session: resolved.facts }, response);
    outcome.steps.push({ request, response, session: resolved.facts, matched });
    for (const finding of findings) {
      outcome.violations.push({ target: name, ...finding, request, response: { status: response.status, text: response.text.slice(0, 600), ms: response.ms, failure: response.failure } });
    }
    if (step.method === "DELETE" && step.session === "own" && response.status >= 200 && response.status < 300) own.ended = true;
  }
  return outcome;
}
