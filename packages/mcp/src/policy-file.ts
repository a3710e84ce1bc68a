import {
  ConfigurationError,
  LUCID_TOOL_NAMES,
  type LucidPaymentPolicy,
  type LucidTokens,
  type LucidToolName,
  type LucidToolPolicy,
} from "@lucid-dreams/agent-auth/tools";
import { z } from "zod";
import { readJsonFile } from "./read-json-file.js";

/** A string matching `regex`; a wrong type or a mismatch both say what to write. */
const pattern = (regex: RegExp, error: string) => z.string({ error }).regex(regex, { error });
/** A JSON object keyed by `key`; a bad key says what the keys must be. */
const keyedBy = <Value extends z.ZodType>(key: z.ZodString, value: Value, keys: string) =>
  z.record(key, value, {
    error: (issue) =>
      issue.code === "invalid_key" ? `keys must be ${keys}` : `must be an object keyed by ${keys}`,
  });

/** A JSON object with exactly these keys; an unknown key is refused with the list of the keys it may have. */
const strict = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `"${key}"`).join(", ")}; the keys here are ${Object.keys(shape).join(", ")}`
        : undefined,
  });

const CAIP2 = 'must be a CAIP-2 EVM chain id such as "eip155:8453"';
const caip2 = pattern(/^eip155:[1-9][0-9]*$/, CAIP2);
const address = pattern(/^0x[0-9a-fA-F]{40}$/, 'must be an EVM address ("0x" and 40 hex digits)');
/** An amount of native coin: a decimal string in ether ("0.05"), or `{ "wei": "<integer>" }` (a bigint). */
const amount = z.union(
  [
    z.string().regex(/^\d+(\.\d{1,18})?$/),
    z.strictObject({ wei: z.string().regex(/^\d+$/) }).transform(({ wei }) => BigInt(wei)),
  ],
  { error: 'must be an ether amount as a decimal string ("0.05") or { "wei": "50000000000000000" }' },
);
/** An amount in a token's base units, as a decimal integer string ("1000000" is 1 USDC). */
const baseUnits = pattern(
  /^\d{1,78}$/,
  'must be a whole number of the token\'s base units as a string ("1000000")',
);
/** An amount in a token's own units ("2.5" USDC). */
const tokenAmount = pattern(
  /^\d+(\.\d+)?$/,
  'must be a decimal amount in the token\'s units as a string ("2.5")',
);
const window = z.enum(["1h", "24h"], { error: 'must be "1h" or "24h"' });
const positiveInteger = (what: string) =>
  z
    .number({ error: `must be a positive whole number of ${what}` })
    .int()
    .positive();
const strings = (example: string) =>
  z.array(z.string({ error: `must be a string such as ${example}` }).min(1, { error: "must not be empty" }));
const httpUrl = z.url({
  protocol: /^https?$/,
  error: 'must be an http(s) JSON-RPC URL such as "http://127.0.0.1:8545"',
});
const toolName = z.enum(LUCID_TOOL_NAMES, { error: `must be a tool name: ${LUCID_TOOL_NAMES.join(", ")}` });
const perTool = z.partialRecord(toolName, z.boolean({ error: "must be true or false" }));

const rollingBudget = strict({ amount, per: window });

/**
 * `LucidToolPolicy` as JSON: every option but `ledger` (an object) and a function `budgetScope`. The policy's
 * `tokens` (rules by contract address, in base units) is written `tokenRules`, since the file's `tokens` is the
 * tools' token list (by symbol, in the token's units).
 */
const policyFields = {
  allowedChains: z.array(caip2).min(1, { error: 'must list at least one chain ("eip155:8453")' }).optional(),
  maxValuePerTransaction: amount.optional(),
  maxFeePerTransaction: amount.optional(),
  budgetPerSession: amount.optional(),
  budget: z
    .union([rollingBudget, z.array(rollingBudget).min(1)], {
      error: 'must be { "amount": "0.1", "per": "24h" } or a list of them',
    })
    .optional(),
  budgetScope: z.enum(["agent", "session"], { error: 'must be "agent" or "session"' }).optional(),
  recipientAllowlist: z.array(address).optional(),
  /** The policy's `tokens` (rules by contract address, base units); the file's `tokens` is the token list. */
  tokenRules: keyedBy(
    address,
    strict({
      maxPerTransaction: baseUnits.optional(),
      budget: baseUnits.optional(),
      budgetPer: window.optional(),
    }),
    "token contract addresses (the token list by symbol is `tokens`)",
  ).optional(),
  approvals: z.array(strict({ token: address, spender: address, maxAmount: baseUnits })).optional(),
  allowTokenApprovals: z.boolean({ error: "must be true or false" }).optional(),
  contracts: z
    .array(
      strict({
        address,
        functions: z
          .array(
            z.string().regex(/^(0x[0-9a-fA-F]{8}|[A-Za-z_$][A-Za-z0-9_$]*\(.*\))$/, {
              error: 'must be a function signature ("swap(uint256,address)") or a selector ("0x12345678")',
            }),
          )
          .min(1, { error: "must list at least one function" }),
        chain: caip2.optional(),
      }),
    )
    .optional(),
  typedData: strict({
    allowApprovals: z.boolean({ error: "must be true or false" }).optional(),
    allowedPrimaryTypes: strings('"PermitSingle"').optional(),
    domains: z
      .array(
        strict({
          chainId: positiveInteger("a chain id (8453)").optional(),
          verifyingContract: address.optional(),
          name: z.string().optional(),
          primaryTypes: strings('"Order"').optional(),
        }),
      )
      .optional(),
  }).optional(),
  messages: strict({
    siweDomains: strings('"app.example.com"').optional(),
    allowHashes: z.boolean({ error: "must be true or false" }).optional(),
    maxLength: positiveInteger("characters").optional(),
  }).optional(),
  simulation: z
    .enum(["required", "best-effort", "off"], { error: 'must be "required", "best-effort" or "off"' })
    .optional(),
};

const tokensSchema = keyedBy(
  z.string().regex(/^[A-Za-z0-9._-]{1,32}$/),
  strict({
    address,
    chain: caip2.optional(),
    maxPerTransaction: tokenAmount.optional(),
    budget: tokenAmount.optional(),
  }),
  'token symbols such as "USDC"',
);

/** `LucidPaymentPolicy` as JSON: every option but `approve`, which the server wires to elicitation. */
const paymentsSchema = strict({
  allowedHosts: strings('"api.example.com" or "127.0.0.1:4021"').optional(),
  payTo: z.array(address).optional(),
  networks: z.array(caip2).optional(),
  assets: strings('"USDC" or a token address').optional(),
  maxPerPayment: tokenAmount.optional(),
  budget: tokenAmount.optional(),
  maxBodyBytes: positiveInteger("bytes").optional(),
  timeoutMs: positiveInteger("milliseconds").optional(),
});

/**
 * The `--policy` file: the tool policy (`LucidToolPolicy` as JSON, ether amounts as decimal strings), the chains'
 * JSON-RPC URLs (`rpc`), the token list (`tokens`), the x402 payment rules (`payments`), which tools need
 * approval, which may run unapproved when the client cannot ask, the tool list and the default chain. Unknown
 * keys are refused, so a misspelt limit never goes unnoticed.
 */
export const policyFileSchema = strict({
  $schema: z.string().optional(),
  ...policyFields,
  tokens: tokensSchema.optional(),
  rpc: keyedBy(
    z.string().regex(/^eip155:[1-9][0-9]*$/),
    httpUrl,
    'CAIP-2 EVM chain ids such as "eip155:8453"',
  ).optional(),
  payments: paymentsSchema.optional(),
  approval: perTool.optional(),
  autoApprove: perTool.optional(),
  tools: z.array(toolName).min(1, { error: "must list at least one tool" }).optional(),
  defaultChain: caip2.optional(),
});

/** The JSON-expressible part of `LucidToolPolicy`, as the policy file gives it. */
export type PolicyFilePolicy = z.output<z.ZodObject<typeof policyFields>>;
/** `payments` without its `approve` callback (over MCP, payments are approved by elicitation). */
export type PolicyFilePayments = Omit<LucidPaymentPolicy, "approve">;

/** What a policy file configures: the options of `createLucidMcpServer` besides the session. */
export interface PolicyFileOptions {
  policy: LucidToolPolicy;
  /** CAIP-2 chain id -> JSON-RPC URL, for simulation, fees and balances. */
  rpc?: Record<string, string>;
  /** Token list with limits, by symbol. */
  tokens?: LucidTokens;
  /** x402 rules of `fetchPaidResource` (no `approve`: the server asks the human through elicitation). */
  payments?: PolicyFilePayments;
  approval?: Partial<Record<LucidToolName, boolean>>;
  autoApprove?: Partial<Record<LucidToolName, boolean>>;
  tools?: LucidToolName[];
  defaultChain?: string;
}

const HINT =
  'A policy file is a JSON object such as {"allowedChains":["eip155:8453"],"maxValuePerTransaction":"0.05","budget":{"amount":"0.5","per":"24h"},"rpc":{"eip155:8453":"https://mainnet.base.org"}}; see "Policy file" in the @lucid-dreams/mcp README.';

/** Reads and checks a policy file; throws `ConfigurationError` naming each wrong field and what to write. */
export async function loadPolicyFile(path: string): Promise<PolicyFileOptions> {
  const {
    $schema: _schema,
    tokenRules,
    tokens,
    rpc,
    payments,
    approval,
    autoApprove,
    tools,
    defaultChain,
    ...policy
  } = await readJsonFile(path, policyFileSchema, "policy file", HINT);
  return {
    policy: { ...policy, ...(tokenRules ? { tokens: tokenRules } : {}) },
    ...(tokens ? { tokens } : {}),
    ...(rpc ? { rpc } : {}),
    ...(payments ? { payments } : {}),
    ...(approval ? { approval } : {}),
    ...(autoApprove ? { autoApprove } : {}),
    ...(tools ? { tools } : {}),
    ...(defaultChain ? { defaultChain } : {}),
  };
}

/**
 * The `rpc` the stdio bin uses: the policy file's, else, when the environment has `LUCID_CHAIN_RPC_URL` and
 * `LUCID_CHAIN_ID` (what `lucid-local-server` prints), that URL for `eip155:<LUCID_CHAIN_ID>`. A malformed pair
 * is a `ConfigurationError`.
 */
export function rpcFromEnvironment(
  options: PolicyFileOptions,
  env: Readonly<Record<string, string | undefined>>,
): PolicyFileOptions {
  if (options.rpc) return options;
  const url = env.LUCID_CHAIN_RPC_URL;
  const chainId = env.LUCID_CHAIN_ID;
  if (!url || !chainId) return options;
  if (!/^[1-9][0-9]*$/.test(chainId)) {
    throw new ConfigurationError(`LUCID_CHAIN_ID must be a decimal chain id such as 31337.`, {
      hint: 'Unset it, or give the policy file an "rpc" object instead.',
    });
  }
  if (!httpUrl.safeParse(url).success) {
    throw new ConfigurationError(`LUCID_CHAIN_RPC_URL must be an http(s) JSON-RPC URL.`, {
      hint: 'Unset it, or give the policy file an "rpc" object instead.',
    });
  }
  return { ...options, rpc: { [`eip155:${chainId}`]: url } };
}
