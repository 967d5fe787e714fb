import type { Redis } from "ioredis";

/** A pub/sub subscription that knows when it may have missed a message. */
export interface Subscription {
  /** False from the moment the connection drops until it is subscribed again. */
  readonly active: boolean;
  close(): Promise<void>;
}

export interface SubscriptionHandlers {
  message(text: string): void;
  /** The connection dropped while subscribed: messages may have been missed since. */
  lost(): void;
  failed(error: unknown): void;
}

/**
 * Subscribes `subscriber` (a connection of its own, created with autoResubscribe off) to one
 * channel, and again each time it reconnects, so that `active` is true only while no message can
 * be missed.
 */
export async function subscribe(
  subscriber: Redis,
  channel: string,
  handlers: SubscriptionHandlers,
): Promise<Subscription> {
  let active = false;
  const join = async () => {
    try {
      await subscriber.subscribe(channel);
      active = true;
    } catch (error) {
      handlers.failed(error);
    }
  };
  subscriber.on("message", (from: string, message: string) => {
    if (from === channel) handlers.message(message);
  });
  subscriber.on("close", () => {
    if (!active) return;
    active = false;
    handlers.lost();
  });
  subscriber.on("ready", join);
  await join();
  return {
    get active() {
      return active;
    },
    close: async () => {
      subscriber.removeAllListeners("close");
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
