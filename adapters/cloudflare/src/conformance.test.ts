import { describe, it } from "vitest";
import { expectClean, runEveryScenario, runRequirements, useTsxFixture } from "../../../test-kit/conformance.js";

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
