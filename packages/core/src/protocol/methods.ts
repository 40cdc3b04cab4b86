/** Method-name sets that decide how a request is treated; each is defined here and only here. */

/** Methods 2026-07-28 removed; they answer 404 -32601 there even though the 2025 era has them. */
export const REMOVED_IN_STATELESS: ReadonlySet<string> = new Set(["initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"]);

/** 2026-07-28 results that carry the caching hints `ttlMs` and `cacheScope`. */
export const CACHEABLE_METHODS: ReadonlySet<string> = new Set(["tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read"]);

/** Methods that may answer `input_required` (2026-07-28 multi-round-trip requests). */
export const INPUT_ROUND_METHODS: ReadonlySet<string> = new Set(["tools/call", "prompts/get", "resources/read"]);

/** The tasks extension's methods (tasks/result and tasks/list were removed upstream). */
export const TASK_METHODS: ReadonlySet<string> = new Set(["tasks/get", "tasks/update", "tasks/cancel"]);
