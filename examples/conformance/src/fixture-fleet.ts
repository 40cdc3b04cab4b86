/**
 * Fixtures of the scale-out tests (examples/conformance/src/scale-out*.test.ts): a tool slow
 * enough that a test can kill the instance running it mid-stream, or disconnect and come back
 * on another instance before it finishes; and one that announces a resource update, so a test
 * can raise `notifications/resources/updated` on one instance and watch for it on another.
 * 2025 era only, so the 2026 scenarios never see them.
 */
import { type Server, text } from "@wisp/core";
import * as v from "valibot";
import type { FixtureSet } from "./fixture.js";

/** Sleeps, but wakes up with an error when the call is cancelled. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error(`cancelled: ${String(signal.reason)}`));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(new Error(`cancelled: ${String(signal.reason)}`))), { once: true });
  });
}

export const fleetTools: FixtureSet = (server: Server) => {
  server
    .tool(
      "fleet_slow_progress",
      {
        era: "legacy",
        description: "Reports progress `steps` times, `intervalMs` apart (ask with _meta.progressToken), then finishes",
        input: v.object({
          steps: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100)),
          intervalMs: v.pipe(v.number(), v.minValue(0), v.maxValue(10_000)),
        }),
      },
      async ({ steps, intervalMs }, ctx) => {
        for (let step = 1; step <= steps; step++) {
          await sleep(intervalMs, ctx.signal);
          ctx.progress(step, steps, `Step ${step} of ${steps}`);
        }
        return text(`Finished ${steps} steps`);
      },
    )
    .tool(
      "fleet_touch_resource",
      {
        era: "legacy",
        description: "Announces that a resource changed (notifications/resources/updated to its subscribers, on every instance)",
        input: v.object({ uri: v.string() }),
      },
      async ({ uri }) => {
        await server.notifyResourceUpdated(uri);
        return text(`Touched ${uri}`);
      },
    );
};
