/**
 * `@lucid-dreams/agent-auth/coinbase`: a wallet connector signing through Coinbase CDP server wallets
 * (v2 API). Kept off the root entry so that applications not using Coinbase never load it.
 */
export {
  CDP_API_BASE_URL,
  CoinbaseManagedWalletConnector,
  type CoinbaseManagedWalletConnectorOptions,
} from "./runtime/wallet/coinbase-connector.js";
