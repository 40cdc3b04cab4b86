import { describe, expect, it } from "vitest";
import { expectClean, runEveryScenario, runRequirements, useTsxFixture } from "../../../test-kit/conformance.js";
import { LATEST, legacyPost } from "../../../test-kit/mcp.js";

// The official MCP conformance suite against the fixture, started the way `npm run fixture`
// starts it: one real process for every run below.
const fixture = useTsxFixture("examples/conformance/src/main.ts", 30_000, "the fixture");

describe("official conformance suite", () => {
  it("0.2.0-alpha.12 --requirements 2025-11-25: no failures, no warnings (pending scenarios included)", async () => {
    expectClean(await runRequirements(fixture().url, "2025-11-25"), ["server-initialize", "tools-call-elicitation", "server-sse-multiple-streams", "server-sse-polling", "json-schema-2020-12", "server-session-lifecycle"], 33);
  }, 300_000);

  it("0.2.0-alpha.12 --requirements 2026-07-28: no failures, no warnings (pending, tasks extension included)", async () => {
    expectClean(await runRequirements(fixture().url, "2026-07-28"), ["server-stateless", "caching", "input-required-result-multi-round", "input-required-result-tampered-state", "http-header-validation", "http-custom-header-server-validation", "json-schema-2020-12", "tasks-lifecycle", "tasks-mrtr-input"], 50);
  }, 300_000);

  it("0.1.16, every scenario (active and pending): no failures, no warnings", async () => {
    expectClean(await runEveryScenario(fixture().url), ["server-initialize", "tools-call-sampling", "server-sse-polling", "json-schema-2020-12"], 32);
  }, 300_000);
});

// The same fixture built with `@wisp/core/stateless`: the whole 2026-07-28 set passes without any
// 2025 session code (how it refuses 2025 clients: adapters/node/src/stateless-only.test.ts).
const statelessOnly = useTsxFixture("examples/conformance/src/main.ts", 30_000, "the stateless-only fixture", { WISP_STATELESS_ONLY: "1" });

describe("official conformance suite against a server from @wisp/core/stateless", () => {
  it("0.2.0-alpha.12 --requirements 2026-07-28: no failures, no warnings", async () => {
    // First, that this fixture really is the stateless-only build: a 2025 initialize is refused.
    const refused = await legacyPost(statelessOnly().url, undefined, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: "probe", version: "1" } } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: -32022 } });
    expectClean(await runRequirements(statelessOnly().url, "2026-07-28"), ["server-stateless", "caching", "input-required-result-multi-round", "http-header-validation", "tasks-lifecycle"], 50);
  }, 300_000);
});
