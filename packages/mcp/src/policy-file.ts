import { LUCID_TOOL_NAMES, type LucidToolName, type LucidToolPolicy } from "@lucid-dreams/agent-auth/tools";
import { z } from "zod";
import { readJsonFile } from "./read-json-file.js";

const caip2 = z
  .string()
  .regex(/^eip155:[1-9][0-9]*$/, { error: 'must be a CAIP-2 EVM chain id such as "eip155:8453"' });
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, { error: "must be an EVM address (0x and 40 hex digits)" });
/** An amount: a decimal string in ether ("0.05"), or `{ "wei": "<integer>" }` (a bigint as a decimal string). */
const amount = z.union(
  [
    z.string().regex(/^\d+(\.\d{1,18})?$/),
    z.strictObject({ wei: z.string().regex(/^\d+$/) }).transform(({ wei }) => BigInt(wei)),
  ],
  { error: 'must be an ether amount as a decimal string ("0.05") or { "wei": "50000000000000000" }' },
);
const toolName = z.enum(LUCID_TOOL_NAMES);
const perTool = z.partialRecord(toolName, z.boolean());

/**
 * The `--policy` file: the tool policy (`LucidToolPolicy`, amounts as decimal strings), which tools need
 * approval, which may run unapproved when the client cannot ask, the tool list and the default chain. Unknown
 * keys are refused, so a misspelt limit never goes unnoticed.
 */
export const policyFileSchema = z.strictObject({
  $schema: z.string().optional(),
  allowedChains: z.array(caip2).min(1).optional(),
  maxValuePerTransaction: amount.optional(),
  budgetPerSession: amount.optional(),
  recipientAllowlist: z.array(address).optional(),
  typedData: z
    .strictObject({
      allowApprovals: z.boolean().optional(),
      allowedPrimaryTypes: z.array(z.string().min(1)).optional(),
    })
    .optional(),
  allowTokenApprovals: z.boolean().optional(),
  approval: perTool.optional(),
  autoApprove: perTool.optional(),
  tools: z.array(toolName).min(1).optional(),
  defaultChain: caip2.optional(),
});

/** What a policy file configures: the options of `createLucidMcpServer` besides the session. */
export interface PolicyFileOptions {
  policy: LucidToolPolicy;
  approval?: Partial<Record<LucidToolName, boolean>>;
  autoApprove?: Partial<Record<LucidToolName, boolean>>;
  tools?: LucidToolName[];
  defaultChain?: string;
}

/** Reads and checks a policy file; throws `ConfigurationError` saying what is wrong with it. */
export async function loadPolicyFile(path: string): Promise<PolicyFileOptions> {
  const {
    $schema: _schema,
    approval,
    autoApprove,
    tools,
    defaultChain,
    ...policy
  } = await readJsonFile(
    path,
    policyFileSchema,
    "policy file",
    'A policy file is a JSON object such as {"allowedChains":["eip155:8453"],"maxValuePerTransaction":"0.05","budgetPerSession":"0.5"}; see the @lucid-dreams/mcp README.',
  );
  return {
    policy,
    ...(approval ? { approval } : {}),
    ...(autoApprove ? { autoApprove } : {}),
    ...(tools ? { tools } : {}),
    ...(defaultChain ? { defaultChain } : {}),
  };
}
