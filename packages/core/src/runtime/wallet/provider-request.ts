/**
 * The HTTP plumbing shared by the connectors of hosted wallet providers (Privy, Coinbase CDP): required options,
 * the fetch to use, and one request that maps a network failure to `TransportError` and a refusal to
 * `WalletProviderError`, with the provider's own reading of its error body.
 */
import { ConfigurationError, TransportError } from "../errors.js";
import { redactString } from "../redact.js";
import type { FetchExecutor } from "../transport/http-transport.js";
import { WalletProviderError } from "./wallet-errors.js";

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A required, non-blank string option of `owner` (trimmed), or a `ConfigurationError` naming it. */
export function requireOption(owner: string, name: string, value: unknown, hint: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigurationError(`${owner} needs ${name}.`, { hint });
  }
  return value.trim();
}

/** The injected fetch, else the global one, else a `ConfigurationError`. */
export function resolveFetch(fetch: FetchExecutor | undefined): FetchExecutor {
  const candidate = fetch ?? (globalThis.fetch as FetchExecutor | undefined);
  if (typeof candidate !== "function") {
    throw new ConfigurationError("No fetch implementation is available.", { hint: "Pass options.fetch." });
  }
  return candidate;
}

/** What a provider's error body says: a message, its own error code, and a hint for the status. */
export interface ProviderRefusal {
  message?: string | undefined;
  code?: string | undefined;
  hint: string;
}

/** Who is called: the provider id of `WalletProviderError`, its name in messages, its host in hints. */
export interface Provider {
  id: string;
  name: string;
  host: string;
  /** Reads the error body of a refused request. */
  refusal(data: unknown, status: number): ProviderRefusal;
}

/** Sends one request and returns the JSON body (null when empty or not JSON); throws typed errors otherwise. */
export async function providerRequest(
  provider: Provider,
  fetch: FetchExecutor,
  url: string,
  init: RequestInit,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    const reason = cause instanceof Error ? redactString(cause.message) : "network error";
    throw new TransportError(`Calling the ${provider.name} API failed: ${reason}`, {
      hint: `Check network access to ${provider.host} (or the configured baseUrl).`,
      cause,
    });
  }
  const text = await response.text().catch(() => "");
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const refusal = provider.refusal(data, response.status);
    const code = refusal.code ? ` ${refusal.code}` : "";
    const detail = refusal.message ? `: ${redactString(refusal.message)}` : ".";
    throw new WalletProviderError(
      `${provider.name} refused the request (${response.status}${code})${detail}`,
      {
        provider: provider.id,
        status: response.status,
        ...(refusal.code !== undefined ? { serverCode: refusal.code } : {}),
        hint: refusal.hint,
      },
    );
  }
  return data;
}
