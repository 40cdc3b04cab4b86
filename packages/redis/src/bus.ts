import type { Bus, BusListener } from "@wisp/core";
import type { Commands } from "./commands.js";
import type { KeyLayout } from "./keys.js";
import type { RedisPort } from "./port.js";

export interface RedisBusOptions {
  /** How long a channel stays subscribed in Redis after its last listener left (ms). */
  unsubscribeDelayMs: number;
}

/** The bus plus what `close()` of the storage needs. */
export interface RedisBus extends Bus {
  /** Stops the idle timers and unsubscribes every channel (the subscriber may be the caller's). */
  close(): Promise<void>;
}

interface Listener {
  deliver: BusListener;
  onResume?: () => void;
}

interface Channel {
  listeners: Set<Listener>;
  /** Settles when Redis confirmed the SUBSCRIBE; rejects when it never did. */
  live: Promise<void>;
  idle?: ReturnType<typeof setTimeout>;
}

/**
 * Pub/sub on Redis: PUBLISH on the command connection, one SUBSCRIBE per channel per process on
 * the subscriber connection however many listeners share it. The core subscribes and
 * unsubscribes on every request, so a channel is only UNSUBSCRIBEd from Redis after it had no
 * listener for `unsubscribeDelayMs`: a busy channel never costs a Redis round trip to join.
 * @example
 * const bus = redisBus(port, commands, keyLayout("wisp"), { unsubscribeDelayMs: 30_000 });
 * const stop = await bus.subscribe("control:s1", (message) => handle(message), { onResume: reload });
 */
export function redisBus(port: RedisPort, commands: Commands, keys: KeyLayout, options: RedisBusOptions): RedisBus {
  const channels = new Map<string, Channel>();

  // The subscriber connection dropped and came back: messages may be lost, listeners re-read.
  port.onResubscribed(() => {
    for (const channel of channels.values()) {
      for (const listener of [...channel.listeners]) {
        try {
          listener.onResume?.();
        } catch {
          // One broken listener must not keep the others from catching up.
        }
      }
    }
  });

  const dispatch = (channel: Channel, payload: string) => {
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch {
      return; // Not JSON, so not published by Wisp: someone else shares the channel name.
    }
    for (const listener of [...channel.listeners]) {
      try {
        listener.deliver(message);
      } catch {
        // One broken listener must not starve the others.
      }
    }
  };

  const open = (name: string): Channel => {
    const redisChannel = keys.channel(name);
    const channel: Channel = { listeners: new Set(), live: Promise.resolve() };
    channel.live = commands
      .guard(() => port.subscribe(redisChannel, (payload) => dispatch(channel, payload)), `SUBSCRIBE ${redisChannel}`)
      .catch((error: unknown) => {
        // Forget a subscription Redis never confirmed, so the next subscribe() tries afresh.
        if (channels.get(name) === channel) channels.delete(name);
        port.unsubscribe(redisChannel).catch(() => {});
        throw error;
      });
    channels.set(name, channel);
    return channel;
  };

  const leave = (name: string, channel: Channel) => {
    if (channel.listeners.size > 0 || channels.get(name) !== channel) return;
    clearTimeout(channel.idle);
    channel.idle = setTimeout(() => {
      if (channel.listeners.size > 0 || channels.get(name) !== channel) return;
      channels.delete(name);
      // Best effort: failing means the connection is down; at worst the channel stays subscribed, unheard.
      port.unsubscribe(keys.channel(name)).catch(() => {});
    }, options.unsubscribeDelayMs);
    // An idle channel must not keep a process alive (Node/Bun/Deno expose unref on timers).
    (channel.idle as { unref?: () => void }).unref?.();
  };

  return {
    async publish(name, message) {
      await commands.run(["PUBLISH", keys.channel(name), JSON.stringify(message) ?? "null"]);
    },
    async subscribe(name, deliver, subscribeOptions) {
      const channel = channels.get(name) ?? open(name);
      clearTimeout(channel.idle);
      channel.idle = undefined;
      // A fresh object per call, so the same function may subscribe twice and leave independently.
      const listener: Listener = { deliver, onResume: subscribeOptions?.onResume };
      channel.listeners.add(listener);
      try {
        await channel.live;
      } catch (error) {
        channel.listeners.delete(listener);
        throw error;
      }
      let subscribed = true;
      return async () => {
        if (!subscribed) return;
        subscribed = false;
        channel.listeners.delete(listener);
        leave(name, channel);
      };
    },
    async close() {
      const names = [...channels.keys()];
      for (const channel of channels.values()) clearTimeout(channel.idle);
      channels.clear();
      await Promise.allSettled(names.map((name) => commands.guard(() => port.unsubscribe(keys.channel(name)), "UNSUBSCRIBE")));
    },
  };
}
