/**
 * Turns the arguments of a fetch call (`(input, init)`, as the generated SDK makes them) into one outgoing
 * request: absolute URL, method, merged headers, a body that can be sent again, the caller's signal and the
 * other fetch options.
 */
import { ConfigurationError } from "../errors.js";

/** A request ready to execute. */
export interface Outgoing {
  url: string;
  method: string;
  headers: Headers;
  body: BodyInit | null | undefined;
  /** Other fetch options (redirect, credentials, ...). */
  extras: RequestInit;
  signal: AbortSignal | undefined;
}

/** A fetch call's request before the transport's headers are merged in: `ownHeaders` are the call's. */
export type FetchInput = Omit<Outgoing, "headers"> & { ownHeaders: HeadersInit | undefined };

const absoluteUrl = /^[a-zA-Z][a-zA-Z\d+.-]*:/;

/** Checks a base URL and returns it normalised; throws `ConfigurationError` when it is not absolute. */
export function checkBaseUrl(baseUrl: string): string {
  try {
    return new URL(baseUrl).href;
  } catch (cause) {
    throw new ConfigurationError(`baseUrl "${baseUrl}" is not an absolute URL.`, {
      hint: "Pass the server's origin, for example https://lucid.daydream.systems.",
      cause,
    });
  }
}

/** The absolute URL of `input`: as is when absolute, else appended to `baseUrl` (whose path is kept). */
export function resolveUrl(input: string, baseUrl: string | undefined): string {
  if (absoluteUrl.test(input)) return input;
  if (baseUrl === undefined) {
    throw new ConfigurationError(`The relative URL "${input}" needs a transport with a baseUrl.`, {
      hint: "Pass baseUrl to the transport factory, or use an absolute URL.",
    });
  }
  try {
    return new URL(`${baseUrl.replace(/\/+$/, "")}/${input.replace(/^\/+/, "")}`).href;
  } catch (cause) {
    throw new ConfigurationError(`"${input}" is not a valid URL.`, { cause });
  }
}

const isRequestLike = (input: unknown): input is Request =>
  typeof input === "object" &&
  input !== null &&
  !(input instanceof URL) &&
  typeof (input as Request).url === "string" &&
  typeof (input as Request).method === "string" &&
  typeof (input as Request).arrayBuffer === "function";

/** Fetch options a `Request` carries beyond method/headers/body/signal, copied only when not the default. */
function requestExtras(request: Request): RequestInit {
  const extras: RequestInit = {};
  if (request.redirect && request.redirect !== "follow") extras.redirect = request.redirect;
  if (request.credentials && request.credentials !== "same-origin") extras.credentials = request.credentials;
  if (request.cache && request.cache !== "default") extras.cache = request.cache;
  if (request.mode && request.mode !== "cors" && request.mode !== "navigate") extras.mode = request.mode;
  if (request.integrity) extras.integrity = request.integrity;
  if (request.keepalive) extras.keepalive = true;
  if (request.referrerPolicy) extras.referrerPolicy = request.referrerPolicy;
  return extras;
}

/** `target` with every header of `source` set over it. */
export function overlayHeaders(target: Headers, source: HeadersInit | undefined): Headers {
  if (source === undefined) return target;
  (source instanceof Headers ? source : new Headers(source)).forEach((value, key) => {
    target.set(key, value);
  });
  return target;
}

/** A JSON media type (`application/json`, `application/problem+json`), UTF-8 or without a charset. */
const utf8Json = /^application\/(?:[\w.-]+\+)?json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * A `Request`'s body read once into memory: as a string when it is JSON (always UTF-8, so the text is the same
 * bytes; a string is the cheapest body to send again), otherwise as bytes.
 */
function readBody(request: Request): Promise<string | ArrayBuffer> | undefined {
  if (request.body === null) return undefined;
  const type = request.headers.get("content-type");
  return type !== null && utf8Json.test(type) ? request.text() : request.arrayBuffer();
}

/**
 * The outgoing request of a fetch call. A `Request`'s body is read once into memory: each attempt sends its
 * own copy, and no streamed body (which would need `duplex: "half"` on Node) is handed to fetch. Headers are
 * not merged here (see `FetchTransport`): `ownHeaders` holds the call's own.
 */
export async function readFetchInput(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  baseUrl: string | undefined,
): Promise<FetchInput> {
  if (init === undefined) {
    // The generated SDK's call: a `Request` alone.
    if (isRequestLike(input)) {
      const body = readBody(input);
      return {
        url: resolveUrl(input.url, baseUrl),
        method: input.method.toUpperCase(),
        ownHeaders: input.headers,
        body: body === undefined ? undefined : await body,
        extras: requestExtras(input),
        signal: input.signal,
      };
    }
    return {
      url: resolveUrl(input instanceof URL ? input.href : String(input), baseUrl),
      method: "GET",
      ownHeaders: undefined,
      body: undefined,
      extras: {},
      signal: undefined,
    };
  }
  const { method, headers, body, signal, ...initExtras } = init;
  if (isRequestLike(input)) {
    const own = body !== undefined ? undefined : readBody(input);
    return {
      url: resolveUrl(input.url, baseUrl),
      method: (method ?? input.method).toUpperCase(),
      ownHeaders: headers ?? input.headers,
      body: body !== undefined ? body : own === undefined ? undefined : await own,
      extras: { ...requestExtras(input), ...initExtras },
      signal: signal ?? input.signal,
    };
  }
  return {
    url: resolveUrl(input instanceof URL ? input.href : String(input), baseUrl),
    method: (method ?? "GET").toUpperCase(),
    ownHeaders: headers,
    body,
    extras: initExtras,
    signal: signal ?? undefined,
  };
}
