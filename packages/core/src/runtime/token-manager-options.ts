/** The options of `TokenManager` and of its calls, its defaults, and the checks of the numbers it is given. */
import { ConfigurationError } from "./errors.js";
import type { Logger } from "./logger.js";
import { DEFAULT_ACCESS_TOKEN_SKEW_MS } from "./refresh-decision.js";
import type { ClearTimer, SetTimer } from "./refresh-schedule.js";
import type { StorageAdapter } from "./storage/types.js";
import type { TokenSnapshot } from "./token-types.js";

/** The storage key `TokenManager` uses unless told otherwise. */
export const DEFAULT_TOKEN_STORAGE_KEY = "lucid-agent-auth:tokens";

/** Default refresh lead: refresh 30 s before the access token expires (clamped to half its lifetime). */
export const DEFAULT_REFRESH_LEAD_TIME_MS = 30_000;

/** The credential's revocation nonce changed between two token bundles. */
export interface RevocationNonceChange {
  previous: string;
  next: string;
  credentialId: string | null;
}

/** Why the held tokens changed: `set` (setTokens), `storage` (hydrated or adopted from storage), `clear`. */
export type TokenChangeSource = "set" | "storage" | "clear";

/** Options of `TokenManager`. All optional. */
export interface TokenManagerOptions {
  /** Where tokens persist. Default: a new `MemoryStorageAdapter` (nothing survives a restart). */
  storage?: StorageAdapter<string>;
  /** The key under which the serialised tokens are stored. Default `"lucid-agent-auth:tokens"`. */
  storageKey?: string;
  /** Refresh this long before expiry, clamped to half the token's lifetime. Default 30 000 ms. */
  refreshLeadTimeMs?: number;
  /** Wall clock in epoch ms. Default `Date.now`. */
  now?: () => number;
  /**
   * An access token is never handed out during its last `min(accessTokenSkewMs, lifetime / 4)` ms, so it does
   * not expire in flight. Default 5 000.
   */
  accessTokenSkewMs?: number;
  /** Timer used by `scheduleRefresh`. Default `setTimeout`; the handle is `unref()`'d when possible. */
  setTimer?: SetTimer;
  /** Cancels a `setTimer` handle. Default `clearTimeout`. */
  clearTimer?: ClearTimer;
  /** Receives debug/info/warn records; never a token. */
  logger?: Logger;
  /** Receives errors of background refreshes (scheduleRefresh). Without it they go to `logger.warn`. */
  onError?: (error: unknown) => void;
  /**
   * Called when a new bundle carries a different revocation nonce than the held one (both non-null): the
   * credential was rotated or revoked and re-issued. The bundle is still accepted (the server is the authority).
   */
  onRevocationNonceChange?: (change: RevocationNonceChange) => void;
  /** Called after the held tokens changed (a copy of the new snapshot, or `null` after `clear`). */
  onTokensChanged?: (snapshot: TokenSnapshot | null, source: TokenChangeSource) => void;
}

/** Options of `refreshSingleFlight`. */
export interface RefreshSingleFlightOptions {
  /**
   * Refresh even if the held access token still looks valid (for example after the server answered 401).
   * A token that another process stored meanwhile is still adopted instead of refreshing again.
   */
  force?: boolean;
}

/** Options of `scheduleRefresh`. */
export interface ScheduleRefreshOptions {
  /** Receives errors of this schedule's background refreshes; overrides the manager's `onError`. */
  onError?: (error: unknown) => void;
}

/** The storage key, refresh lead and skew of `options`, checked, with their defaults. Throws `ConfigurationError`. */
export function resolveTokenManagerOptions(options: TokenManagerOptions): {
  storageKey: string;
  refreshLeadTimeMs: number;
  skewMs: number;
} {
  const lead = options.refreshLeadTimeMs ?? DEFAULT_REFRESH_LEAD_TIME_MS;
  if (typeof lead !== "number" || !Number.isFinite(lead) || lead < 0) {
    throw new ConfigurationError(`refreshLeadTimeMs must be a finite number >= 0, got ${String(lead)}.`, {
      hint: "Pass the lead time in milliseconds, e.g. 30000, or leave it out for the default.",
    });
  }
  if (options.storageKey !== undefined && (typeof options.storageKey !== "string" || !options.storageKey)) {
    throw new ConfigurationError("storageKey must be a non-empty string.", {
      hint: `Leave it out for the default "${DEFAULT_TOKEN_STORAGE_KEY}".`,
    });
  }
  const skew = options.accessTokenSkewMs ?? DEFAULT_ACCESS_TOKEN_SKEW_MS;
  if (typeof skew !== "number" || !Number.isFinite(skew) || skew < 0) {
    throw new ConfigurationError(`accessTokenSkewMs must be a finite number >= 0, got ${String(skew)}.`, {
      hint: "Pass milliseconds, e.g. 5000, or leave it out for the default.",
    });
  }
  return {
    storageKey: options.storageKey ?? DEFAULT_TOKEN_STORAGE_KEY,
    refreshLeadTimeMs: lead,
    skewMs: skew,
  };
}
