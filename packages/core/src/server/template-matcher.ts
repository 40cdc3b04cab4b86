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
 * budget: a server without templates never carries it). Registering one starts that load, and
 * every POST waits for it (`templateMatchingLoad`) before a scope check or a read can match.
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
      if (!compile) throw new HttpError(500, ErrorCode.InternalError, "Internal error: the server's URI template matcher could not be loaded");
      return (compiled ??= compile(template)).match(uri);
    },
  };
}

/** Resolves once templates can match (never rejects); undefined when they already can. */
export function templateMatchingLoad(): Promise<void> | undefined {
  if (compile) return undefined;
  return (loading ??= import("./template-compiler.js").then(
    (module) => {
      compile = module.compileTemplate;
    },
    (error: unknown) => {
      // Tried again by the next request; until then a match answers -32603.
      loading = undefined;
      console.error("[wisp] the URI template matcher could not be loaded; resources/read of a template fails until it can be:", error);
    },
  ));
}
