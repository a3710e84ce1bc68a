/**
 * Every stable `code` an error of `@lucid-dreams/agent-auth` can carry, in one table users can switch on
 * (`error.code === AgentAuthErrorCode.CredentialRevoked`). Values are never renamed; new ones may be added.
 * The server's own code, when a server answered, is kept beside it in `error.serverCode`.
 */
export const AgentAuthErrorCode = {
  // The design's runtime union.
  /** The server revoked the credential or its token family (for example after a refresh token was replayed). */
  CredentialRevoked: "credential_revoked",
  /** Refreshing the access token failed and no fallback was possible. */
  RefreshFailed: "refresh_failed",
  /** Requesting, signing or exchanging a challenge failed. */
  ChallengeFailed: "challenge_failed",
  /** The request never got a usable answer (timeout, connection refused, unreadable body). */
  TransportError: "transport_error",
  /** The configuration is missing something or has a bad value. */
  ConfigurationError: "configuration_error",
  /** The server's answer does not match the contract this runtime expects. */
  CoverageMismatch: "coverage_mismatch",

  // Authenticated API calls (`AgentApiClientError`): the contract's codes, or one derived from the status.
  /** No access token was available for an authenticated call. */
  AccessTokenRequired: "access_token_required",
  /** 401: the access token is missing, expired, revoked or unknown. */
  Unauthorized: "unauthorized",
  /** 403 without a more precise code. */
  Forbidden: "forbidden",
  /** 403: the credential lacks a scope the call needs. */
  InsufficientScope: "insufficient_scope",
  /** 404: the agent (or another resource) does not exist or is not visible. */
  NotFound: "not_found",
  /** 400/422: the server refused the request body or parameters. */
  InvalidRequest: "invalid_request",
  /** The CAIP-2 chain is not served by the wallet. */
  UnsupportedChain: "unsupported_chain",
  /** The chain refused the transaction (nonce, funds, gas). */
  ChainRejected: "chain_rejected",
  /** An idempotency key was reused with a different body. */
  IdempotencyKeyReused: "idempotency_key_reused",
  /** The same idempotent operation is still running. */
  IdempotencyInProgress: "idempotency_in_progress",
  /** 429: rate limited. */
  RateLimited: "rate_limited",
  /** 409 without a more precise code. */
  Conflict: "conflict",
  /** 5xx: the server failed. */
  ServerError: "server_error",
  /** Any other 4xx. */
  RequestRejected: "request_rejected",

  // Token manager (`TokenManagerError`).
  /** No tokens are held (nothing was set or hydrated, or they were cleared). */
  TokensUnavailable: "tokens_unavailable",
  /** The storage adapter failed to read, write, clear or lock; `cause` has the adapter's error. */
  StorageFailure: "storage_failure",
  /** The stored tokens cannot be parsed. Nothing was overwritten. */
  CorruptStorage: "corrupt_storage",
  /** The stored tokens use a format version this package does not read. */
  UnsupportedTokenFormat: "unsupported_token_format",
  /** A token bundle is missing a field or has a bad value. */
  InvalidTokens: "invalid_tokens",
  /** A bundle carried a refresh token this process already used and replaced. */
  ReplayedRefreshToken: "replayed_refresh_token",

  // Storage adapters (`StorageError`).
  /** The stored data cannot be read back. Left untouched. */
  StorageCorrupt: "storage_corrupt",
  /** The file system refused an operation. */
  StorageIo: "storage_io",
  /** Another holder kept the lock longer than `lockTimeoutMs`. */
  StorageLockTimeout: "storage_lock_timeout",
  /** `withLock` was called again, for the same key, from inside its own callback. */
  StorageLockReentrant: "storage_lock_reentrant",
  /** A shared store refused a write from a writer that lost its lease: a newer value is stored. Re-read it. */
  StorageFenced: "storage_fenced",
  /** The shared store (Redis) cannot be reached. Retryable. */
  StorageUnavailable: "storage_unavailable",

  // Transports (`HttpTransportError`).
  /** The server answered with a non-2xx status. */
  HttpError: "http_error",
  /** The request never got a response: DNS, connection refused or reset, TLS failure. */
  NetworkError: "network_error",
  /** One attempt exceeded `timeoutMs`, or the whole call exceeded `deadlineMs`. */
  Timeout: "timeout",
  /** The caller's abort signal fired. */
  Aborted: "aborted",
  /** The response arrived but its body could not be read or decoded. */
  ParseError: "parse_error",

  // Wallet connectors.
  /** A feature this connector (or this environment) cannot provide. */
  NotSupported: "not_supported",
  /** The server wallet connector has no access token to sign with. */
  MissingAccessToken: "missing_access_token",
  /** A third-party wallet provider (Privy, Coinbase CDP) refused or failed a request. */
  WalletProviderError: "wallet_provider_error",

  // LLM tools (`/tools`): the codes a tool result carries.
  /** The model supplied input that cannot be used. */
  InvalidInput: "invalid_input",
  /** A tool policy refused the call before anything was signed or sent. */
  PolicyRefused: "policy_refused",
  /** A human declined (or nobody approved) a call that needs approval. */
  ApprovalDenied: "approval_denied",
  /** A call needs approval and the host gave no way to ask for it. */
  ApprovalRequired: "approval_required",
  /** A tool failed with an error that is not ours (details withheld from the model). */
  InternalError: "internal_error",
} as const;

/** One of the `AgentAuthErrorCode` values. */
export type AgentAuthErrorCode = (typeof AgentAuthErrorCode)[keyof typeof AgentAuthErrorCode];

/** The codes of a family (the values of a sub-table), as a set for membership tests. */
export const codeSet = (table: Record<string, string>): ReadonlySet<string> => new Set(Object.values(table));
