/**
 * The buses between isolates: `hubBus` (a Worker or session object) talking to `hubStream`
 * (the hub object) through a stand-in stub that calls the hub's handler directly, as a
 * Durable Object stub would over the network.
 */
import { describe, expect, it } from "vitest";
import { hubBus, hubStream, memoryBus, routedBus } from "./bus.js";
import { INTERNAL, OP } from "./internal.js";
import type { DurableObjectStubLike } from "./types.js";

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string, ms = 2_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(5);
  }
}

/** A hub: its own memory bus, serving publish and subscribe like the session object does. */
function fakeHub(options: { failSubscribe?: boolean } = {}) {
  const local = memoryBus();
  const requests: string[] = [];
  const open = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const cancels = new Set<() => void>();
  let listeners = 0;
  const counting = {
    publish: local.publish,
    async subscribe(channel: string, listener: (m: unknown) => void) {
      listeners++;
      const unsubscribe = await local.subscribe(channel, listener);
      return async () => {
        listeners--;
        await unsubscribe();
      };
    },
  };
  const stub: DurableObjectStubLike = {
    async fetch(request) {
      const op = request.headers.get(INTERNAL.op) ?? "";
      requests.push(op);
      if (op === OP.publish) {
        const { channel, message } = (await request.json()) as { channel: string; message: unknown };
        await local.publish(channel, message);
        return new Response(null, { status: 204 });
      }
      if (options.failSubscribe) return new Response("no", { status: 500 });
      const response = await hubStream(counting, new URL(request.url).searchParams.get("channel")!, 50);
      // Wrap the stream so a test can break the connection; cancelling it reaches the hub.
      const reader = response.body!.getReader();
      const broken = new ReadableStream<Uint8Array>({
        start: (controller) => void open.add(controller),
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: (reason) => reader.cancel(reason),
      });
      cancels.add(() => void reader.cancel().catch(() => {}));
      return new Response(broken, { headers: response.headers });
    },
  };
  return {
    stub,
    local,
    requests,
    listeners: () => listeners,
    breakConnections: () => {
      for (const controller of open) controller.error(new Error("connection lost"));
      for (const cancel of cancels) cancel();
      open.clear();
      cancels.clear();
    },
  };
}

describe("memoryBus", () => {
  it("delivers to every listener of the channel, survives a throwing one, and unsubscribes", async () => {
    const bus = memoryBus();
    const got: unknown[] = [];
    await bus.subscribe("c", () => {
      throw new Error("broken listener");
    });
    const off = await bus.subscribe("c", (m) => got.push(m));
    await bus.publish("c", 1);
    await bus.publish("other", 2);
    await off();
    await bus.publish("c", 3);
    expect(got).toEqual([1]);
  });
});

describe("hubBus ↔ hubStream", () => {
  it("publish lands in the hub's bus; a subscription hears what is published there, in order", async () => {
    const hub = fakeHub();
    const bus = hubBus(() => hub.stub);
    const atHub: unknown[] = [];
    await hub.local.subscribe("wisp:broadcast", (m) => atHub.push(m));
    await bus.publish("wisp:broadcast", { method: "a" });
    expect(atHub).toEqual([{ method: "a" }]);

    const heard: unknown[] = [];
    const off = await bus.subscribe("wisp:broadcast", (m) => heard.push(m));
    for (const method of ["x", "y", "z"]) await hub.local.publish("wisp:broadcast", { method });
    await until(() => heard.length === 3, "three messages");
    expect(heard).toEqual([{ method: "x" }, { method: "y" }, { method: "z" }]);
    await off();
  });

  it("local listeners of one channel share one connection; the last unsubscribe closes it at the hub", async () => {
    const hub = fakeHub();
    const bus = hubBus(() => hub.stub);
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = await bus.subscribe("c", (m) => a.push(m));
    const offB = await bus.subscribe("c", (m) => b.push(m));
    expect(hub.requests.filter((op) => op === OP.subscribe)).toHaveLength(1);
    expect(hub.listeners()).toBe(1);
    await hub.local.publish("c", 1);
    await until(() => a.length === 1 && b.length === 1, "both listeners");
    await offA();
    expect(hub.listeners()).toBe(1);
    await offB();
    await until(() => hub.listeners() === 0, "the hub to drop the subscriber");
  });

  it("reconnects when the hub's stream breaks, while someone still listens", async () => {
    const hub = fakeHub();
    const bus = hubBus(() => hub.stub, { retryDelay: 10 });
    const heard: unknown[] = [];
    const off = await bus.subscribe("c", (m) => heard.push(m));
    hub.breakConnections();
    await until(() => hub.requests.filter((op) => op === OP.subscribe).length === 2, "a second subscribe");
    await tick(20);
    await hub.local.publish("c", "after");
    await until(() => heard.includes("after"), "a message after reconnecting");
    await off();
  });

  it("subscribe fails when the hub refuses, and a later subscribe tries again", async () => {
    const hub = fakeHub({ failSubscribe: true });
    const bus = hubBus(() => hub.stub);
    await expect(bus.subscribe("c", () => {})).rejects.toThrow(/subscribe answered 500/);
    await expect(bus.subscribe("c", () => {})).rejects.toThrow(/subscribe answered 500/);
    expect(hub.requests.filter((op) => op === OP.subscribe)).toHaveLength(2);
  });

  it("tracks every publish for waitUntil", async () => {
    const hub = fakeHub();
    const tracked: Promise<unknown>[] = [];
    const bus = hubBus(() => hub.stub, { track: (work) => tracked.push(work) });
    await bus.publish("c", 1);
    expect(tracked).toHaveLength(1);
  });
});

describe("routedBus", () => {
  it("sends the remote channels to the remote bus, the rest to the local one; muted drops publishes", async () => {
    const local = memoryBus();
    const remote = memoryBus();
    const bus = routedBus(local, remote, (channel) => channel === "wisp:broadcast");
    const seen: string[] = [];
    await local.subscribe("wisp:broadcast", () => seen.push("local broadcast"));
    await remote.subscribe("wisp:broadcast", () => seen.push("remote broadcast"));
    await local.subscribe("wisp:s:notify", () => seen.push("local notify"));
    await bus.publish("wisp:broadcast", {});
    await bus.publish("wisp:s:notify", {});
    bus.muted = true;
    await bus.publish("wisp:broadcast", {});
    expect(seen).toEqual(["remote broadcast", "local notify"]);
  });
});
