import { ErrorCode, HttpError } from "../protocol/errors.js";
import { parseTemplate } from "../uri-template/syntax.js";
import type { UriTemplate } from "../uri-template/uri-template.js";

/** A registered resource template, as the request paths use it. */
export interface TemplateMatcher {
  readonly template: string;
  /** The template's variables when `uri` matches it, else null (see `UriTemplate.match`). */
  match(uri: string): Record<string, string | string[]> | null;
}

let compile: ((template: string) => UriTemplate) | undefined;
let loading: Promise<void> | undefined;

/**
 * A resource template is parsed when it is registered, so a malformed one throws there, with its
 * position; the RFC 6570 matcher, most of uri-template/, loads with import() (issue 13's size
 * budget: a server without templates never carries it). Registering one starts that load; a
 * resources/read waits for it (`Registry.codeLoading`) before its scope check and its read match.
 */
export function templateMatcher(template: string): TemplateMatcher {
  if (typeof template !== "string") throw new TypeError("URI template must be a string");
  parseTemplate(template);
  void templateMatchingLoad();
  let compiled: UriTemplate | undefined;
  return {
    template,
    match(uri) {
      // Fails closed: a scope check that cannot match must not let the call through.
      if (!compile) throw matcherUnavailable();
      return (compiled ??= compile(template)).match(uri);
    },
  };
}

/** Set while loads fail, so a broken install is reported once, not on every request that retries. */
let failing = false;

/** Resolves once templates can match (never rejects); undefined when they already can. */
export function templateMatchingLoad(): Promise<void> | undefined {
  if (compile) return undefined;
  return (loading ??= import("./template-compiler.js").then(
    (module) => {
      compile = module.compileTemplate;
      failing = false;
    },
    (error: unknown) => {
      // Tried again by the next resources/read; until then matching answers -32603.
      loading = undefined;
      if (!failing) console.error("[wisp] the URI template matcher could not be loaded; resources/read of a template fails until it can be:", error);
      failing = true;
    },
  ));
}

/**
 * Matching asked before the matcher could load: still loading only when a template was registered
 * while this request was under way (503, send it again); else the load failed (500).
 */
function matcherUnavailable(): HttpError {
  if (loading && !failing) {
    return new HttpError(503, ErrorCode.InternalError, "Service unavailable: the server's URI template matcher is still loading; send the request again", undefined, { "retry-after": "1" });
  }
  return new HttpError(500, ErrorCode.InternalError, "Internal error: the server's URI template matcher could not be loaded");
}
