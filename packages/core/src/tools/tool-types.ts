import type { fetchPaidResourceTool } from "./fetch-paid-resource.js";
import type { getAgentTool } from "./get-agent.js";
import type { getBalanceTool } from "./get-balance.js";
import type { getWalletAddressTool } from "./get-wallet-address.js";
import type { listAgentsTool } from "./list-agents.js";
import type { sendTokenTool } from "./send-token.js";
import type { sendTransactionTool } from "./send-transaction.js";
import type { signMessageTool } from "./sign-message.js";
import type { signTransactionTool } from "./sign-transaction.js";
import type { signTypedDataTool } from "./sign-typed-data.js";

type DescriptorOf<Factory> = Factory extends (...args: never[]) => infer Descriptor ? Descriptor : never;
type InputOf<Descriptor> = Descriptor extends { execute(input: infer Input, ...rest: never[]): unknown }
  ? Input
  : never;
type OutputOf<Descriptor> = Descriptor extends { execute(...args: never[]): Promise<infer Output> }
  ? Output
  : never;
type Types<Factory> = { input: InputOf<DescriptorOf<Factory>>; output: OutputOf<DescriptorOf<Factory>> };

/**
 * The input (what the model supplies, after schema parsing) and output (the `result` of `{ ok: true, result }`)
 * of each Lucid tool, by name, for adapters to type their tools with.
 */
export interface LucidToolTypes {
  listAgents: Types<typeof listAgentsTool>;
  getAgent: Types<typeof getAgentTool>;
  getWalletAddress: Types<typeof getWalletAddressTool>;
  signMessage: Types<typeof signMessageTool>;
  signTypedData: Types<typeof signTypedDataTool>;
  signTransaction: Types<typeof signTransactionTool>;
  sendTransaction: Types<typeof sendTransactionTool>;
  getBalance: Types<typeof getBalanceTool>;
  sendToken: Types<typeof sendTokenTool>;
  fetchPaidResource: Types<typeof fetchPaidResourceTool>;
}
