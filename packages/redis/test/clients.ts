/**
 * The Redis clients the package accepts, connected the way its README says, so each suite runs against both:
 * node-redis (`createClient`) and ioredis (`new Redis` without offline queue or resend).
 */
import { once } from "node:events";
import { Redis } from "ioredis";
import { createClient } from "redis";
import type { RedisClientLike } from "../src/redis-client.js";

/** The client libraries the suites run against. */
export const CLIENT_KINDS = ["node-redis", "ioredis"] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];

export interface TestClient {
  readonly kind: ClientKind;
  /** What the adapters get as `client`. */
  readonly client: RedisClientLike;
  /** Resolves once the client can send commands again (its `ready` event; at once when it already can). */
  ready(): Promise<void>;
  /** Closes the connection and waits until it is closed. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Delay between reconnection attempts (ms). Default 20. */
  reconnectMs?: number;
  /** ioredis only: its `keyPrefix`. */
  keyPrefix?: string;
  /** Speak RESP3 (node-redis `RESP: 3`, ioredis `protocol: 3`). */
  resp3?: boolean;
}

/** A connected client of `kind` to `url`. */
export async function connectClient(
  kind: ClientKind,
  url: string,
  options: ConnectOptions = {},
): Promise<TestClient> {
  const reconnectMs = options.reconnectMs ?? 20;
  if (kind === "node-redis") {
    const client = createClient({
      url,
      socket: { reconnectStrategy: () => reconnectMs },
      ...(options.resp3 ? { RESP: 3 as const } : {}),
    });
    client.on("error", () => undefined);
    await client.connect();
    return {
      kind,
      client: client as unknown as RedisClientLike,
      async ready() {
        if (!client.isReady) await once(client, "ready");
      },
      async close() {
        if (client.isOpen) await client.close();
      },
    };
  }
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => reconnectMs,
    ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }),
    ...(options.resp3 ? { protocol: 3 as const } : {}),
  });
  client.on("error", () => undefined);
  await client.connect();
  return {
    kind,
    client,
    async ready() {
      if (client.status !== "ready") await once(client, "ready");
    },
    async close() {
      if (client.status === "end") return;
      const ended = once(client, "end");
      client.disconnect();
      await ended;
    },
  };
}
