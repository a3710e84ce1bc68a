/**
 * `@lucid-dreams/local-server`: a real local Lucid-compatible server (challenge, exchange, refresh, agents,
 * and an agent wallet on a local anvil chain) for demos and integration tests.
 */

export type { Scope } from "./auth/scopes.js";
export { KNOWN_SCOPES } from "./auth/scopes.js";
export { resolveAnvilPath } from "./chain/resolve-anvil-path.js";
export type { EnvWallet } from "./env.js";
export { localUsdcAbi } from "./generated/local-usdc.gen.js";
export type { ErrorBody, ErrorCode, ErrorDetail } from "./http/error-codes.js";
export { ERROR_CODES } from "./http/error-codes.js";
export type { LocalServerErrorCode } from "./local-server-error.js";
export { LocalServerError } from "./local-server-error.js";
export type { Operation } from "./operations.js";
export { OPERATIONS } from "./operations.js";
export type {
  ChallengeFormat,
  ExternalChainOptions,
  LocalServerAgentOptions,
  LocalServerOptions,
} from "./options.js";
export type { SeededAgent } from "./seed.js";
export type {
  LocalServer,
  LocalServerAdmin,
  LocalServerSeed,
  LocalServerToken,
} from "./start-local-server.js";
export { startLocalServer } from "./start-local-server.js";
export type { Counters } from "./testing/counters.js";
export type { FaultHandle, FaultSpec, Faults } from "./testing/faults.js";
export type { FacilitatorMode } from "./x402/facilitator.js";
export type { LocalX402 } from "./x402/start-x402.js";
export { X402_CONTENT } from "./x402/start-x402.js";
