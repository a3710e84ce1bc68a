/**
 * The generated-SDK client shared by every `AgentAuthClient` and `AgentApiClient` of the process. It holds no
 * base URL and no fetch: each call passes its own (`baseUrl`, and the transport's `asFetch()`), so a runtime
 * costs no client of its own. A caller's own `client` option is used as is instead.
 *
 * The shared client is the generated one (`createClient()`) with one shortcut: a plain call (a JSON body or
 * none, string headers, header auth (`Authorization: Bearer …`, as every authenticated operation of the contract
 * asks), no validators or transformers, the default parsing) is handed to fetch as
 * `(url, init)` instead of a `Request` that the transport would read back: building a `Request` costs more than
 * the rest of a sign-in's client work. URLs are built by the generated `buildUrl`, bodies by the generated JSON
 * serializer, and the answer is parsed as the generated client parses it. Any other call goes through the
 * generated client unchanged.
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
  shared ??= createSharedClient();
  return fetch ? { client: shared, baseUrl, fetch } : { client: shared, baseUrl };
}

/** The options a generated operation hands its client (the fields the direct path reads). */
interface CallOptions {
  url: string;
  method?: string;
  baseUrl?: string;
  path?: unknown;
  query?: unknown;
  body?: unknown;
  headers?: unknown;
  fetch?: FetchExecutor;
  signal?: AbortSignal | null;
  [option: string]: unknown;
}

/** Options the direct path does not implement: a call carrying any of them goes through the generated client. */
const GENERATED_ONLY = [
  "bodySerializer",
  "querySerializer",
  "parseAs",
  "requestValidator",
  "responseValidator",
  "responseTransformer",
  "responseStyle",
  "throwOnError",
] as const;

/** The generated client, with `get` and `post` taking the direct path for plain calls. */
function createSharedClient(): Client {
  const generated = createClient();
  const config = generated.getConfig();
  const defaults: Defaults = {
    headers: Object.entries((config.headers ?? {}) as Record<string, string>),
    serialize: config.bodySerializer as (body: unknown) => string,
  };
  const { interceptors } = generated;
  const direct = (method: string, fallback: (options: never) => unknown) => (options: CallOptions) =>
    isPlain(options) &&
    interceptors.request.fns.length === 0 &&
    interceptors.response.fns.length === 0 &&
    interceptors.error.fns.length === 0
      ? send(generated, defaults, method, options)
      : fallback(options as never);
  return {
    ...generated,
    get: direct("GET", generated.get) as Client["get"],
    post: direct("POST", generated.post) as Client["post"],
  };
}

/** The generated client's defaults: its headers (as entries) and its JSON body serializer. */
interface Defaults {
  headers: Array<[string, string]>;
  serialize: (body: unknown) => string;
}

/** The generated client's `Auth` (one entry of an operation's `security`). */
interface Auth {
  type: string;
  scheme?: string;
  in?: string;
  name?: string;
}

/** What the generated client accepts as `auth`: a token, or a function of the `Auth` entry returning one. */
type AuthOption = string | undefined | ((auth: Auth) => string | undefined | Promise<string | undefined>);

/**
 * Security rules the direct path sets as the generated `setAuthParams` does: an HTTP bearer or basic scheme
 * sent in the `Authorization` header. A named header, a query parameter or a cookie goes through the generated
 * client (its rule skips a name the call already carries, which only it checks).
 */
function isHeaderAuth(security: unknown): security is readonly Auth[] {
  if (!Array.isArray(security)) return false;
  for (const auth of security as Auth[]) {
    if (typeof auth !== "object" || auth === null) return false;
    if (auth.type !== "http" || (auth.scheme !== "bearer" && auth.scheme !== "basic")) return false;
    if (auth.name !== undefined || (auth.in !== undefined && auth.in !== "header")) return false;
  }
  return true;
}

/** A call the direct path sends exactly as the generated client would: string headers, nothing it skips. */
function isPlain(options: CallOptions): boolean {
  for (const option of GENERATED_ONLY) if (options[option] !== undefined) return false;
  if (options.security !== undefined && !isHeaderAuth(options.security)) return false;
  const auth = options.auth;
  if (auth !== undefined && typeof auth !== "string" && typeof auth !== "function") return false;
  const headers = options.headers;
  if (headers === undefined) return true;
  if (
    typeof headers !== "object" ||
    headers === null ||
    Object.getPrototypeOf(headers) !== Object.prototype
  ) {
    return false;
  }
  for (const value of Object.values(headers)) if (typeof value !== "string") return false;
  return true;
}

/** Sends a plain call with `fetch(url, init)` and returns what the generated client returns for it. */
async function send(
  generated: Client,
  defaults: Defaults,
  method: string,
  options: CallOptions,
): Promise<unknown> {
  // Only what a URL is built from: the generated `buildUrl` spreads its config and these into one object.
  const parts: Pick<CallOptions, "url" | "baseUrl" | "path" | "query"> = { url: options.url };
  if (options.baseUrl !== undefined) parts.baseUrl = options.baseUrl;
  if (options.path !== undefined) parts.path = options.path;
  if (options.query !== undefined) parts.query = options.query;
  const url = generated.buildUrl(parts as never);
  // The client's default headers, then the call's (later wins, names case-insensitive), as the generated merge.
  const headers = new Headers(defaults.headers);
  const own = options.headers as Record<string, string> | undefined;
  if (own !== undefined) for (const name in own) headers.set(name, own[name]!);
  // As the generated `setAuthParams` (after the merge, so the token wins over a caller's Authorization).
  if (options.security !== undefined) {
    const option = options.auth as AuthOption;
    for (const auth of options.security as readonly Auth[]) {
      const token = typeof option === "function" ? await option(auth) : option;
      if (token) headers.set("authorization", authorization(auth, token));
    }
  }
  const body = options.body === undefined ? undefined : defaults.serialize(options.body);
  // As the generated client: no Content-Type without a body.
  if (body === undefined || body === "") headers.delete("content-type");
  const init: RequestInit = { method, headers };
  if (body !== undefined && body !== "") init.body = body;
  if (options.signal) init.signal = options.signal;
  const fetch = options.fetch ?? (globalThis.fetch as FetchExecutor);
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    return { error: error || {}, request: undefined, response: undefined };
  }
  if (!response.ok) {
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: the text is the error
    }
    return { error: (parsed ?? text) || {}, request: undefined, response };
  }
  return { data: await parseAnswer(response), request: undefined, response };
}

/** The generated `getAuthToken` for an HTTP scheme: `Bearer <token>` or `Basic <base64 of token>`. */
const authorization = (auth: Auth, token: string): string =>
  auth.scheme === "bearer" ? `Bearer ${token}` : `Basic ${btoa(token)}`;

/** The data of a 2xx answer, parsed by its Content-Type as the generated client's `parseAs: "auto"` does. */
async function parseAnswer(response: Response): Promise<unknown> {
  const parseAs = parseAsFor(response.headers.get("content-type")) ?? "json";
  if (response.status === 204 || response.headers.get("content-length") === "0") {
    if (parseAs === "blob" || parseAs === "text") return response[parseAs]();
    if (parseAs === "formData") return new FormData();
    if (parseAs === "stream") return response.body;
    return {};
  }
  switch (parseAs) {
    case "json": {
      const text = await response.text();
      return text ? JSON.parse(text) : {};
    }
    case "stream":
      return response.body;
    default:
      return response[parseAs]();
  }
}

/** The generated client's `getParseAs`: how a Content-Type is read. */
function parseAsFor(
  contentType: string | null,
): "json" | "formData" | "blob" | "text" | "stream" | undefined {
  if (!contentType) return "stream";
  const type = contentType.split(";")[0]?.trim();
  if (!type) return undefined;
  if (type.startsWith("application/json") || type.endsWith("+json")) return "json";
  if (type === "multipart/form-data") return "formData";
  if (["application/", "audio/", "image/", "video/"].some((prefix) => type.startsWith(prefix))) return "blob";
  if (type.startsWith("text/")) return "text";
  return undefined;
}
