/**
 * Scale-out on Bun and on Deno: three conformance fixture processes of the runtime (started as
 * `npm run fixture:bun` / `npm run fixture:deno` start them) on one Redis, behind the round-robin
 * proxy. The scenarios every runtime must pass, shared with scale-out.test.ts (Node):
 * 1. the session's lifecycle spread over A, B and C (DELETE on C ends it everywhere);
 * 2. elicitation asked on A, answered on B (also with every pub/sub connection killed);
 * 4. `kill -9` of A mid-stream, resumed on B; a result produced after the client left, replayed by B.
 */
import { describe, expect, it } from "vitest";
import { type FixtureRuntime, expectElicitationAnsweredElsewhere, expectFleetTools, expectResumeOnAnotherInstance, expectSessionLifecycleAcrossInstances, useFleet } from "../../../test-kit/fleet.js";

describe.each<{ runtime: FixtureRuntime; name: string }>([
  { runtime: "bun", name: "Bun" },
  { runtime: "deno", name: "Deno" },
])("scale-out on $name: 3 instances, one Redis, round-robin", ({ runtime, name }) => {
  const fleet = useFleet({ size: 3, runtime, env: { WISP_KEEPALIVE_MS: "500" } });

  it(`runs three ${name} fixture processes on 127.0.0.1, each on the fleet's Redis`, () => {
    for (const member of fleet().members) {
      expect(member.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      expect(member.output()).toContain(`(${name} `);
    }
    expect(fleet().redis.cli("CLIENT", "LIST").split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(6); // a command and a pub/sub connection each
  });

  it("serves the scale-out tools of fixture-fleet.ts on every instance", async () => {
    await expectFleetTools(fleet());
  });

  it("1. initialize on A; list, call, setLevel, subscribe on B; DELETE on C → 404 everywhere, A's GET and in-flight POST streams close", async () => {
    await expectSessionLifecycleAcrossInstances(fleet());
  });

  it("2. elicitation asked on A, answered on B: the tool resumes once", async () => {
    await expectElicitationAnsweredElsewhere(fleet(), { dropPubsub: false });
  });

  it("2b. the same with every pub/sub connection killed before the reply: A re-reads it from storage", async () => {
    await expectElicitationAnsweredElsewhere(fleet(), { dropPubsub: true });
  });

  it("4. kill -9 A mid-stream: B replays every stored event once, in order; a result produced after the client left is replayed by B", async () => {
    await expectResumeOnAnotherInstance(fleet());
  });
});
