import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ConfigurationError } from "@lucid-dreams/agent-auth/tools";

/** One accepted bearer token and the tenant it authenticates. */
export interface BearerTenant {
  /** The tenant's name (what `session(tenant)` is called with). */
  tenant: string;
  /** The bearer token. A secret: it is kept only as a SHA-256 digest. */
  token: string;
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** The shortest bearer token accepted: 32 characters (e.g. 24 random bytes in base64url). */
export const MIN_BEARER_TOKEN_LENGTH = 32;

/**
 * Authenticates HTTP requests by `Authorization: Bearer <token>`: returns the tenant of the token, or undefined.
 * Tokens are compared as SHA-256 digests with `timingSafeEqual`, against every entry (no early exit), so the
 * time taken says nothing about which token or how much of it matched. Tokens are never logged or kept in clear.
 */
export function createBearerAuthenticator(
  tenants: readonly BearerTenant[],
): (request: IncomingMessage) => string | undefined {
  const seen = new Set<string>();
  const entries = tenants.map(({ tenant, token }) => {
    if (typeof token !== "string" || token.length < MIN_BEARER_TOKEN_LENGTH) {
      throw new ConfigurationError(`The bearer token of tenant "${tenant}" is too short.`, {
        hint: `Use at least ${MIN_BEARER_TOKEN_LENGTH} random characters, e.g. \`openssl rand -base64 32\`.`,
      });
    }
    const hex = digest(token).toString("hex");
    if (seen.has(hex)) {
      throw new ConfigurationError(`Tenant "${tenant}" has the same bearer token as another tenant.`, {
        hint: "Give every tenant its own token.",
      });
    }
    seen.add(hex);
    return { tenant, digest: digest(token) };
  });
  return (request) => {
    const header = request.headers.authorization;
    const match = typeof header === "string" ? /^Bearer +(\S+) *$/i.exec(header) : null;
    if (!match) return undefined;
    const presented = digest(match[1]!);
    let found: string | undefined;
    for (const entry of entries) {
      if (timingSafeEqual(presented, entry.digest)) found = entry.tenant;
    }
    return found;
  };
}
