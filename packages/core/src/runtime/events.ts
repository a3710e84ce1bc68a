/**
 * Runtime events: their names, their payloads, and a small typed hub to subscribe to them.
 *
 * Secrets: `authenticated` and `tokenRefreshed` carry the access token (the one documented secret in an event,
 * needed to keep a wallet connector's bearer in sync). No event ever carries a refresh token, and errors in
 * events are reduced to a redacted `{ code, message }`.
 */
import { AgentAuthError } from "./errors.js";
import type { Logger } from "./logger.js";
import { redactString } from "./redact.js";

/** Names of the runtime events, as constants (`AgentAuthEvent.TokenRefreshed === "tokenRefreshed"`). */
export const AgentAuthEvent = {
  Authenticated: "authenticated",
  TokenRefreshed: "tokenRefreshed",
  RefreshFailed: "refreshFailed",
  CredentialRevoked: "credentialRevoked",
  ReauthenticationRequired: "reauthenticationRequired",
  TokensCleared: "tokensCleared",
} as const;

/** The name of a runtime event. */
export type AgentAuthEvent = (typeof AgentAuthEvent)[keyof typeof AgentAuthEvent];

/** A new session: a challenge was signed and exchanged for tokens. */
export interface AuthenticatedEvent {
  /** The new bearer token. A secret: hand it to a wallet connector (`setAccessToken`), never log it. */
  accessToken: string;
  expiresAt: Date;
  refreshTokenExpiresAt: Date;
  scopes: string[];
  agentRef: string;
  credentialId: string | null;
}

/**
 * New tokens without a new sign-in: rotated with the refresh token, or rotated by another process sharing the
 * storage and adopted from it. Same fields as `authenticated`.
 */
export interface TokenRefreshedEvent extends AuthenticatedEvent {}

/** An error as events carry it: no stack, no cause, message redacted. */
export interface EventError {
  /** Stable code (`refresh_failed`, `transport_error`, ...), `unknown_error` for foreign errors. */
  code: string;
  message: string;
  status?: number;
  retryable?: boolean;
}

/** Refreshing failed. `willRetry`: another refresh is scheduled; `fallback`: what the runtime does next. */
export interface RefreshFailedEvent {
  error: EventError;
  willRetry: boolean;
  /** `"challenge"`: the runtime authenticates again with a fresh challenge; `"none"`: it gives up. */
  fallback: "challenge" | "none";
}

/** The server revoked the credential or the token family (for example after a refresh token replay). */
export interface CredentialRevokedEvent {
  reason: string;
  credentialId: string | null;
}

/** The session cannot continue without a new challenge (refresh token expired, revoked, rejected). */
export interface ReauthenticationRequiredEvent {
  reason: string;
}

/** The runtime dropped its tokens (shutdown, revocation, logout). Connectors should drop their bearer. */
export interface TokensClearedEvent {
  reason?: string;
}

/** Payload type of each event. */
export interface AgentAuthEventMap {
  authenticated: AuthenticatedEvent;
  tokenRefreshed: TokenRefreshedEvent;
  refreshFailed: RefreshFailedEvent;
  credentialRevoked: CredentialRevokedEvent;
  reauthenticationRequired: ReauthenticationRequiredEvent;
  tokensCleared: TokensClearedEvent;
}

/** A handler of event `E`. Returned promises are awaited for errors only: a rejection is logged, never thrown. */
export type EventHandler<E extends AgentAuthEvent = AgentAuthEvent> = (
  payload: AgentAuthEventMap[E],
) => void | Promise<void>;

/** Handlers for several events at once, as `createWallet({ events })` accepts them. */
export type AgentAuthEventHandlers = { [E in AgentAuthEvent]?: EventHandler<E> };

/** Reduces any error to the redacted `{ code, message, status?, retryable? }` that events carry. */
export const toEventError = (error: unknown): EventError => {
  if (AgentAuthError.isInstance(error)) {
    const out: EventError = { code: error.code, message: redactString(error.message) };
    if (error.status !== undefined) out.status = error.status;
    out.retryable = error.retryable;
    return out;
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === "string" ? code : "unknown_error", message: redactString(error.message) };
  }
  return { code: "unknown_error", message: redactString(String(error)) };
};

/** A typed publish/subscribe hub. Handler errors are caught and logged, never thrown into the emitter. */
export interface EventHub<M extends object = AgentAuthEventMap> {
  /** Subscribes `handler` to `event`; returns a function that unsubscribes it. */
  on<E extends keyof M & string>(event: E, handler: (payload: M[E]) => void | Promise<void>): () => void;
  /** Like `on`, but the handler runs at most once. */
  once<E extends keyof M & string>(event: E, handler: (payload: M[E]) => void | Promise<void>): () => void;
  /** Unsubscribes `handler` from `event`. */
  off<E extends keyof M & string>(event: E, handler: (payload: M[E]) => void | Promise<void>): void;
  /** Calls every handler of `event` in subscription order; returns how many were called. */
  emit<E extends keyof M & string>(event: E, payload: M[E]): number;
  /** Removes every handler of `event`, or of every event. */
  removeAll(event?: keyof M & string): void;
  /** Number of handlers subscribed to `event`. */
  listenerCount(event: keyof M & string): number;
}

/** Options of `createEventHub`. */
export interface CreateEventHubOptions {
  /** Receives handler failures (`warn`), redacted. Default: failures are swallowed silently. */
  logger?: Logger;
}

type AnyHandler = (payload: never) => void | Promise<void>;

interface Entry {
  /** The handler the caller passed (what `off` matches on). */
  original: AnyHandler;
  /** Removed before its first run. */
  once: boolean;
}

/** The hub behind `createEventHub`: behaviour on the prototype, the handler lists made on first subscription. */
class Hub<M extends object> implements EventHub<M> {
  #entries: Map<string, Entry[]> | undefined;
  readonly #logger: Logger | undefined;

  constructor(logger: Logger | undefined) {
    this.#logger = logger;
  }

  on<E extends keyof M & string>(event: E, handler: (payload: M[E]) => void | Promise<void>): () => void {
    return this.#add(event, handler as AnyHandler, false);
  }

  once<E extends keyof M & string>(event: E, handler: (payload: M[E]) => void | Promise<void>): () => void {
    return this.#add(event, handler as AnyHandler, true);
  }

  off<E extends keyof M & string>(event: E, handler: (payload: M[E]) => void | Promise<void>): void {
    const entry = this.#entries?.get(event)?.find((candidate) => candidate.original === handler);
    if (entry) this.#remove(event, entry);
  }

  emit<E extends keyof M & string>(event: E, payload: M[E]): number {
    const list = this.#entries?.get(event);
    if (!list || list.length === 0) return 0;
    const snapshot = [...list];
    for (const entry of snapshot) {
      try {
        if (entry.once) this.#remove(event, entry);
        const result = (entry.original as (payload: unknown) => unknown)(payload);
        if (result && typeof (result as Promise<unknown>).then === "function") {
          (result as Promise<unknown>).then(undefined, (error: unknown) => this.#report(event, error));
        }
      } catch (error) {
        this.#report(event, error);
      }
    }
    return snapshot.length;
  }

  removeAll(event?: keyof M & string): void {
    if (event === undefined) this.#entries?.clear();
    else this.#entries?.delete(event);
  }

  listenerCount(event: keyof M & string): number {
    return this.#entries?.get(event)?.length ?? 0;
  }

  #add(event: string, original: AnyHandler, once: boolean): () => void {
    const entry: Entry = { original, once };
    this.#entries ??= new Map();
    const list = this.#entries.get(event);
    if (list) list.push(entry);
    else this.#entries.set(event, [entry]);
    return () => this.#remove(event, entry);
  }

  #remove(event: string, entry: Entry): void {
    const list = this.#entries?.get(event);
    if (!list) return;
    const index = list.indexOf(entry);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.#entries?.delete(event);
  }

  #report(event: string, error: unknown): void {
    try {
      this.#logger?.warn({ event, error: toEventError(error) }, `An "${event}" event handler failed.`);
    } catch {
      // Logging must never break the emitter.
    }
  }
}

/**
 * Creates a typed event hub (no Node `events` dependency). Handlers run synchronously in subscription order;
 * a handler that throws or rejects is logged through `options.logger` and does not stop the others.
 */
export const createEventHub = <M extends object = AgentAuthEventMap>(
  options: CreateEventHubOptions = {},
): EventHub<M> => new Hub<M>(options.logger);
