import type { ChainConnection } from "./chain/chain-connection.js";
import type { ResolvedOptions } from "./options.js";
import type { Store } from "./store/store.js";
import type { IdempotencyStore } from "./wallet/idempotency.js";
import type { KeyedMutex } from "./wallet/keyed-mutex.js";

/** What every request handler works with. */
export interface ServerContext {
  options: ResolvedOptions;
  store: Store;
  chain: ChainConnection;
  idempotency: IdempotencyStore;
  /** Serialises broadcasts per wallet address so concurrent sends get distinct nonces. */
  walletLocks: KeyedMutex;
  /** The server's base URL, known once it listens. */
  baseUrl(): string;
}
