import { z } from "zod";
import { MIN_BEARER_TOKEN_LENGTH } from "./bearer-authenticator.js";
import { readJsonFile } from "./read-json-file.js";

const tenant = z.strictObject({
  /** The tenant's name, used in logs (never the token). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: "must be 1-64 letters, digits, '.', '_' or '-'" }),
  /** The bearer token this tenant's MCP client sends. A secret. */
  token: z.string().min(MIN_BEARER_TOKEN_LENGTH, {
    error: `must be at least ${MIN_BEARER_TOKEN_LENGTH} characters (e.g. openssl rand -base64 32)`,
  }),
  /** The Lucid agent whose wallet this tenant uses, and the credential it signs in with. */
  agentRef: z.string().min(1),
  credentialId: z.string().min(1),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  scopes: z.array(z.string().min(1)).min(1).max(10).optional(),
  /** Owner token that signs this agent's first login challenge (default: LUCID_SERVER_ACCESS_TOKEN). A secret. */
  serverAccessToken: z.string().min(1).optional(),
});

/**
 * The `--tenants` file of `lucid-mcp --http`: one entry per bearer token, each bound to one agent. Names and
 * tokens must be unique, and no two tenants may share an agent (they would share its wallet and budget).
 */
export const tenantsFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    /** Lucid API base URL of every tenant without its own (default: LUCID_BASE_URL). */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** CAIP-2 chain id -> JSON-RPC URL for every tenant (simulation, fees, balances); wins over the policy file's. */
    rpc: z
      .record(
        z
          .string()
          .regex(/^eip155:[1-9][0-9]*$/, { error: 'must be a CAIP-2 EVM chain id such as "eip155:8453"' }),
        z.url({
          protocol: /^https?$/,
          error: 'must be an http(s) JSON-RPC URL such as "http://127.0.0.1:8545"',
        }),
      )
      .optional(),
    tenants: z.array(tenant).min(1),
  })
  .superRefine((file, context) => {
    const names = new Set<string>();
    const tokens = new Set<string>();
    const agents = new Set<string>();
    file.tenants.forEach((entry, index) => {
      if (names.has(entry.name)) {
        context.addIssue({
          code: "custom",
          path: ["tenants", index, "name"],
          message: "duplicate tenant name",
        });
      }
      if (tokens.has(entry.token)) {
        context.addIssue({
          code: "custom",
          path: ["tenants", index, "token"],
          message: "the same token as another tenant",
        });
      }
      const agent = `${entry.baseUrl ?? file.baseUrl ?? ""} ${entry.agentRef}`;
      if (agents.has(agent)) {
        context.addIssue({
          code: "custom",
          path: ["tenants", index, "agentRef"],
          message: "the same agent as another tenant: tenants must not share a wallet",
        });
      }
      names.add(entry.name);
      tokens.add(entry.token);
      agents.add(agent);
    });
  });

/** One tenant of the tenants file. */
export type TenantEntry = z.output<typeof tenant>;
/** The tenants file. */
export type TenantsFile = z.output<typeof tenantsFileSchema>;

/** Reads and checks a tenants file; throws `ConfigurationError` saying what is wrong (never quoting a token). */
export function loadTenantsFile(path: string): Promise<TenantsFile> {
  return readJsonFile(
    path,
    tenantsFileSchema,
    "tenants file",
    'A tenants file is {"tenants":[{"name":"alice","token":"<32+ random chars>","agentRef":"...","credentialId":"..."}]}; see the @lucid-dreams/mcp README.',
  );
}
