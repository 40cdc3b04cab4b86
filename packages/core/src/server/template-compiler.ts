import { UriTemplate } from "../uri-template/uri-template.js";

/**
 * What template-matcher.ts loads with import(). Not the public uri-template module itself: a
 * module that `@wisp/core` also exports would be split into a chunk every entry loads at startup.
 */
export const compileTemplate = (template: string): UriTemplate => new UriTemplate(template);
