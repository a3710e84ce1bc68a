/**
 * The generated-SDK client shared by every `AgentAuthClient` and `AgentApiClient` of the process. It holds no
 * base URL and no fetch: each call passes its own (`baseUrl`, and the transport's `asFetch()`), so a runtime
 * costs no client of its own. A caller's own `client` option is used as is instead.
 */
import { type Client, createClient } from "@lucid-dreams/sdk";
import type { FetchExecutor } from "./transport/http-transport.js";

let shared: Client | undefined;

/** What a generated-SDK call needs to reach the server: the client, and the base URL and fetch when shared. */
export type SdkTarget = { client: Client } | { client: Client; baseUrl: string; fetch?: FetchExecutor };

/**
 * The target of a call: the caller's own client as is, or the shared client with `baseUrl` and `fetch` (no
 * fetch: the SDK's default, `globalThis.fetch`).
 */
export function sdkTarget(
  own: Client | undefined,
  baseUrl: string,
  fetch: FetchExecutor | undefined,
): SdkTarget {
  if (own) return { client: own };
  shared ??= createClient();
  return fetch ? { client: shared, baseUrl, fetch } : { client: shared, baseUrl };
}
