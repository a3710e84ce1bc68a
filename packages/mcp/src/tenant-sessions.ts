import {
  AgentRuntime,
  ConfigurationError,
  createFetchTransport,
  ServerOrchestratorWalletConnector,
} from "@lucid-dreams/agent-auth";
import type { TenantEntry, TenantsFile } from "./tenants-file.js";

/** The Lucid session of each tenant of a tenants file, built on first use and kept (one budget per tenant). */
export interface TenantSessions {
  session(tenant: string): Promise<AgentRuntime>;
  shutdown(): Promise<void>;
}

/**
 * One `AgentRuntime` per tenant, configured only from the tenant's entry (its agent and credential; the base
 * URL and the owner token fall back to `LUCID_BASE_URL` / `LUCID_SERVER_ACCESS_TOKEN`): never from
 * `.lucid-agent.json` or another agent's variables, so a tenant can only ever sign in as its own agent.
 */
export function createTenantSessions(
  file: TenantsFile,
  env: Record<string, string | undefined> = process.env,
): TenantSessions {
  const entries = new Map<string, TenantEntry & { baseUrl: string }>();
  for (const entry of file.tenants) {
    const baseUrl = entry.baseUrl ?? file.baseUrl ?? env.LUCID_AGENT_BASE_URL ?? env.LUCID_BASE_URL;
    if (!baseUrl) {
      throw new ConfigurationError(`Tenant "${entry.name}" has no Lucid base URL.`, {
        hint: 'Set "baseUrl" in the tenants file (for all tenants or per tenant), or LUCID_BASE_URL.',
      });
    }
    entries.set(entry.name, { ...entry, baseUrl: baseUrl.replace(/\/+$/, "") });
  }
  const runtimes = new Map<string, Promise<AgentRuntime>>();

  const build = async (entry: TenantEntry & { baseUrl: string }) => {
    const transport = createFetchTransport({ baseUrl: entry.baseUrl });
    const signer = new ServerOrchestratorWalletConnector({
      baseUrl: entry.baseUrl,
      agentRef: entry.agentRef,
      accessToken: entry.serverAccessToken ?? env.LUCID_SERVER_ACCESS_TOKEN ?? null,
      fetch: transport.asFetch(),
    });
    return AgentRuntime.fromConfig({
      config: {
        baseUrl: entry.baseUrl,
        agentRef: entry.agentRef,
        credentialId: entry.credentialId,
        ...(entry.scopes ? { scopes: entry.scopes } : {}),
      },
      wallet: { signer },
      transport,
    });
  };

  return {
    session(tenant) {
      let runtime = runtimes.get(tenant);
      if (!runtime) {
        const entry = entries.get(tenant);
        if (!entry) {
          return Promise.reject(
            new ConfigurationError(`Unknown tenant "${tenant}".`, { hint: "Check the tenants file." }),
          );
        }
        runtime = build(entry);
        runtimes.set(tenant, runtime);
        runtime.catch(() => runtimes.delete(tenant));
      }
      return runtime;
    },
    async shutdown() {
      const all = [...runtimes.values()];
      runtimes.clear();
      await Promise.allSettled(all.map(async (runtime) => (await runtime).shutdown()));
    },
  };
}
