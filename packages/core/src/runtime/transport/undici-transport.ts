/**
 * The Node.js/Bun transport: the fetch transport executing through undici's `fetch` over a keep-alive
 * connection pool. Node-only: exported from `@lucid-dreams/agent-auth/node`, never from the root entry.
 */
import { setImmediate as nextLoopTurn } from "node:timers/promises";
import { Agent, type Dispatcher, type RequestInit as UndiciRequestInit, fetch as undiciFetch } from "undici";
import { createFetchTransport, type FetchTransportOptions } from "./fetch-transport.js";
import type { FetchExecutor, HttpTransport } from "./http-transport.js";

/** Options of `createUndiciTransport()`: those of the fetch transport plus the connection pool. */
export interface UndiciTransportOptions extends FetchTransportOptions {
  /**
   * An undici dispatcher (Agent, Pool, ProxyAgent, MockAgent...) to execute with. The caller owns it:
   * `close()` leaves it open. Without one the transport creates (and owns) a keep-alive `Agent`.
   */
  dispatcher?: Dispatcher;
  /** Idle time in ms before a pooled connection is closed (the created Agent only). Default 10 000. */
  keepAliveTimeout?: number;
  /** Maximum connections per origin (the created Agent only). Default unlimited. */
  connections?: number;
}

/** An `HttpTransport` over an undici dispatcher, with `close()` to release the pool it created. */
export interface UndiciTransport extends HttpTransport {
  /** The dispatcher requests go through (the injected one, or the Agent this transport created). */
  readonly dispatcher: Dispatcher;
  /**
   * Closes the Agent this transport created (in-flight requests finish first, idle connections close).
   * An injected dispatcher is left open. Safe to call more than once.
   */
  close(): Promise<void>;
}

/** Default idle timeout of pooled connections: 10 seconds. */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 10_000;

/**
 * Creates an `HttpTransport` executing through undici's `fetch` over a keep-alive pool (or `options.dispatcher`),
 * with the retries, timeouts, headers and instrumentation of `createFetchTransport()`.
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): UndiciTransport {
  const { dispatcher: injected, keepAliveTimeout, connections, fetch: fetchOverride, ...rest } = options;
  const owned =
    injected === undefined
      ? new Agent({
          keepAliveTimeout: keepAliveTimeout ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
          ...(connections === undefined ? {} : { connections }),
        })
      : undefined;
  const dispatcher: Dispatcher = injected ?? (owned as Dispatcher);

  const execute: FetchExecutor = async (input, init) => {
    // undici marks a connection idle again in a microtask after its response ends, later than the caller sees the
    // body; dispatching at once would open a second socket for back-to-back requests. One loop turn lets the
    // pool reuse the idle connection.
    await nextLoopTurn();
    const withDispatcher = { ...init, dispatcher };
    if (fetchOverride) return fetchOverride(input, withDispatcher as RequestInit);
    const response = await undiciFetch(input as string, withDispatcher as UndiciRequestInit);
    return response as unknown as Response;
  };

  const transport = createFetchTransport({ ...rest, fetch: execute });
  let closing: Promise<void> | undefined;

  return {
    asFetch: (fetchOptions) => transport.asFetch(fetchOptions),
    dispatcher,
    close: () => {
      if (!owned) return Promise.resolve();
      closing ??= owned.close();
      return closing;
    },
  };
}
