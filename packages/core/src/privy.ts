/**
 * `@lucid-dreams/agent-auth/privy`: a wallet connector signing through Privy server wallets. Kept off the
 * root entry so that applications not using Privy never load it.
 */
export {
  PRIVY_API_BASE_URL,
  PrivyEip191Connector,
  type PrivyEip191ConnectorOptions,
} from "./runtime/wallet/privy-connector.js";
