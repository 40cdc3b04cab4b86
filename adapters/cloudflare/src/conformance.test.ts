import { describe, expect, it } from "vitest";
import { expectClean, runEveryScenario, runRequirements, useTsxFixture } from "../../../test-kit/conformance.js";
import { LATEST, legacyPost } from "../../../test-kit/mcp.js";

// The official MCP conformance suite against the fixture on workerd, started the way
// `npm run fixture:workerd` starts it: two isolates of the fixture Worker behind a round-robin
// router, one Durable Object namespace. One real process for every run below.
const fixture = useTsxFixture("examples/conformance/src/main-workerd.ts", 45_000, "the workerd fixture");

describe("official conformance suite on workerd", () => {
  it("0.2.0-alpha.12 --requirements 2025-11-25: no failures, no warnings (pending scenarios included)", async () => {
    expectClean(await runRequirements(fixture().url, "2025-11-25"), ["server-initialize", "tools-call-elicitation", "tools-call-sampling", "server-sse-multiple-streams", "server-sse-polling", "resources-subscribe", "server-session-lifecycle"], 33);
  }, 300_000);

  it("0.2.0-alpha.12 --requirements 2026-07-28: no failures, no warnings (pending, tasks extension included)", async () => {
    expectClean(await runRequirements(fixture().url, "2026-07-28"), ["server-stateless", "caching", "input-required-result-multi-round", "input-required-result-tampered-state", "http-header-validation", "http-custom-header-server-validation", "tasks-lifecycle", "tasks-mrtr-input", "tasks-mrtr-composition"], 50);
  }, 300_000);

  it("0.1.16, every scenario (active and pending): no failures, no warnings", async () => {
    expectClean(await runEveryScenario(fixture().url), ["server-initialize", "tools-call-sampling", "server-sse-polling"], 32);
  }, 300_000);
});

// The same Worker built with @wisp/core/stateless: 2025 requests are refused in the Worker, the
// 2026 set passes with listen streams and tasks still in their Durable Objects.
const statelessOnly = useTsxFixture("examples/conformance/src/main-workerd.ts", 45_000, "the stateless-only workerd fixture", { WISP_STATELESS_ONLY: "1" });

describe("official conformance suite on workerd, fixture from @wisp/core/stateless", () => {
  it("refuses a 2025 initialize (400, -32022), then 0.2.0-alpha.12 --requirements 2026-07-28: no failures, no warnings", async () => {
    const refused = await legacyPost(statelessOnly().url, undefined, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: "probe", version: "1" } } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ id: 1, error: { code: -32022, data: { supported: ["2026-07-28"] } } });
    expectClean(await runRequirements(statelessOnly().url, "2026-07-28"), ["server-stateless", "caching", "input-required-result-multi-round", "tasks-lifecycle", "tasks-mrtr-input"], 50);
  }, 300_000);
});
