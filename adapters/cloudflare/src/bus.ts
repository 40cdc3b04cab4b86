import type { Bus, BusListener } from "@wisp/core";
import type { DurableObjectStubLike } from "./types.js";
import { HUB_URL, INTERNAL, OP, ROLE } from "./internal.js";

/** A bus inside one isolate: the core's in-memory bus (no timers). */
export { memoryBus } from "@wisp/core";

export interface HubBusOptions {
  /** Called with every request to the hub still running, so a Worker can `waitUntil` it. */
  track?: (work: Promise<unknown>) => void;
  /** First reconnect delay after the hub's stream broke (ms); doubles up to 5 s. Default 100. */
  retryDelay?: number;
}

const encoder = new TextEncoder();

/**
 * A bus whose other end is the hub Durable Object: `publish` POSTs the message there,
 * `subscribe` holds one streaming request per channel open (NDJSON, one message a line)
 * and hands each line to the local listeners. This is how a notification raised in any
 * isolate (a stateless Worker, a session's object) reaches every listener everywhere.
 */
export function hubBus(hub: () => DurableObjectStubLike, options: HubBusOptions = {}): Bus {
  const subscriptions = new Map<string, { listeners: Set<BusListener>; ready: Promise<void>; stop: () => void }>();
  const firstDelay = options.retryDelay ?? 100;

  const internal = (op: string, init: RequestInit & { channel?: string } = {}) => {
    const url = new URL(HUB_URL);
    if (init.channel) url.searchParams.set("channel", init.channel);
    const headers = new Headers(init.headers);
    headers.set(INTERNAL.role, ROLE.hub);
    headers.set(INTERNAL.op, op);
    return new Request(url, { ...init, headers });
  };

  function open(channel: string, listeners: Set<BusListener>) {
    let stopped = false;
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    let markReady!: () => void;
    let failReady!: (error: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => ((markReady = resolve), (failReady = reject)));
    let live = false;

    const connect = async (): Promise<void> => {
      const response = await hub().fetch(internal(OP.subscribe, { channel }));
      if (!response.ok || !response.body) throw new Error(`wisp hub: subscribe answered ${response.status}`);
      reader = response.body.getReader();
      if (stopped) return void reader.cancel().catch(() => {});
      live = true;
      markReady();
      const decoder = new TextDecoder();
      let buffered = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffered += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffered.indexOf("\n")) !== -1) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line === "") continue; // heartbeat
          let message: unknown;
          try {
            message = JSON.parse(line);
          } catch {
            continue;
          }
          for (const listener of [...listeners]) {
            try {
              listener(message);
            } catch {
              // keep delivering to the others
            }
          }
        }
      }
    };

    void (async () => {
      let delay = firstDelay;
      while (!stopped) {
        try {
          await connect();
          delay = firstDelay;
        } catch (error) {
          // The first attempt decides whether subscribe() succeeds; later ones just retry.
          if (!live) return failReady(error);
        }
        if (stopped) return;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    })();

    return {
      ready,
      stop: () => {
        stopped = true;
        void reader?.cancel().catch(() => {});
      },
    };
  }

  return {
    async publish(channel, message) {
      const work = hub()
        .fetch(internal(OP.publish, { method: "POST", body: JSON.stringify({ channel, message }), headers: { "content-type": "application/json" } }))
        .then(async (response) => {
          await response.body?.cancel();
          if (!response.ok) throw new Error(`wisp hub: publish answered ${response.status}`);
        });
      options.track?.(work);
      await work;
    },
    async subscribe(channel, listener) {
      let entry = subscriptions.get(channel);
      if (!entry) {
        const listeners = new Set<BusListener>();
        const connection = open(channel, listeners);
        entry = { listeners, ready: connection.ready, stop: connection.stop };
        subscriptions.set(channel, entry);
        connection.ready.catch(() => {
          if (subscriptions.get(channel) === entry) subscriptions.delete(channel);
        });
      }
      const own: BusListener = (m) => listener(m);
      entry.listeners.add(own);
      const current = entry;
      try {
        await current.ready;
      } catch (error) {
        current.listeners.delete(own);
        throw error;
      }
      return async () => {
        current.listeners.delete(own);
        if (current.listeners.size === 0 && subscriptions.get(channel) === current) {
          subscriptions.delete(channel);
          current.stop();
        }
      };
    },
  };
}

/**
 * The hub's side of `hubBus().subscribe`: a streaming response that carries every message
 * published on `channel` in this isolate's bus, one JSON line each, with a blank line as
 * heartbeat so idle connections are not cut.
 */
export async function hubStream(bus: Bus, channel: string, heartbeatMs = 25_000): Promise<Response> {
  let unsubscribe: (() => Promise<void>) | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const end = () => {
    clearInterval(timer);
    void unsubscribe?.().catch(() => {});
  };
  const write = (text: string) => {
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      end();
    }
  };
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: end,
  });
  unsubscribe = await bus.subscribe(channel, (message) => write(`${JSON.stringify(message)}\n`));
  timer = setInterval(() => write("\n"), heartbeatMs);
  return new Response(body, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-cache" } });
}

/**
 * One bus made of two: channels for which `remote(channel)` is true go to `remoteBus`
 * (the hub), everything else stays in `localBus`. While `muted`, publishes are dropped:
 * building a server announces every registration as list_changed, which must not wake
 * every listener each time an isolate or object starts.
 */
export function routedBus(localBus: Bus, remoteBus: Bus, remote: (channel: string) => boolean): Bus & { muted: boolean } {
  const bus = {
    muted: false,
    async publish(channel: string, message: unknown) {
      if (bus.muted) return;
      return (remote(channel) ? remoteBus : localBus).publish(channel, message);
    },
    subscribe(channel: string, listener: BusListener) {
      return (remote(channel) ? remoteBus : localBus).subscribe(channel, listener);
    },
  };
  return bus;
}
