import type { AgentRecord } from "../store/store.js";

/** `account` of a wallet response (`WalletAccount`). */
export interface WalletAccountView {
  id: string;
  displayName: string | null;
}

/** `wallet` of a wallet response (`WalletInfo`). */
export interface WalletInfoView {
  id: string;
  address: string;
  chain: string;
  caip2: string;
  provider: "lucid-local";
  chainType: "ethereum";
  externalId: null;
  privyWalletId: null;
  status: "active";
}

/** The `account` and `wallet` parts every wallet response carries. */
export function walletEnvelope(
  agent: AgentRecord,
  caip2: string,
): { account: WalletAccountView; wallet: WalletInfoView } {
  return {
    account: { id: agent.id, displayName: agent.name },
    wallet: {
      id: agent.wallet.id,
      address: agent.wallet.address,
      chain: caip2,
      caip2,
      provider: "lucid-local",
      chainType: "ethereum",
      externalId: null,
      privyWalletId: null,
      status: "active",
    },
  };
}
