import { ConfigurationError, type LucidSession } from "@lucid-dreams/agent-auth/tools";
import type { LangChainCallInfo } from "./to-langchain-tool.js";

/** The key under which `sessionFromConfig` looks for the session in `context` and `configurable`. */
export const LUCID_SESSION_KEY = "lucidSession";

/**
 * A session resolver for per-request sessions: takes `lucidSession` from the `createAgent` run's context
 * (`agent.invoke(input, { context: { lucidSession } })`), else from the invocation's configurable
 * (`tool.invoke(call, { configurable: { lucidSession } })`). Refuses the call when neither has one.
 */
export function sessionFromConfig(call: LangChainCallInfo): LucidSession {
  const context = call.context as Record<string, unknown> | undefined;
  const session = context?.[LUCID_SESSION_KEY] ?? call.configurable[LUCID_SESSION_KEY];
  if (typeof session !== "object" || session === null) {
    throw new ConfigurationError("No Lucid session for this request.", {
      hint: `Pass { ${LUCID_SESSION_KEY}: runtime } as the run's context (createAgent) or in configurable.`,
    });
  }
  return session as LucidSession;
}
