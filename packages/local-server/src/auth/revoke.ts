import { randomId } from "../ids.js";
import type { Store } from "../store/store.js";

/** Revokes a token family: every access and refresh token descended from its exchange stops working. */
export function revokeFamily(store: Store, familyId: string): void {
  const family = store.families.get(familyId);
  if (family) family.revoked = true;
}

/**
 * Revokes a credential's sessions: bumps its `revocation_nonce` and revokes every token family issued for it.
 * The credential itself stays usable for new challenges. Returns false for an unknown credential.
 */
export function revokeCredential(store: Store, credentialId: string): boolean {
  const credential = store.credentials.get(credentialId);
  if (!credential) return false;
  credential.revocationNonce = randomId("rvn_");
  for (const family of store.families.values()) {
    if (family.credentialId === credentialId) family.revoked = true;
  }
  return true;
}

/** Disables a credential for good (until re-enabled): revokes its sessions and refuses new challenges. */
export function setCredentialDisabled(store: Store, credentialId: string, disabled: boolean): boolean {
  const credential = store.credentials.get(credentialId);
  if (!credential) return false;
  if (disabled) revokeCredential(store, credentialId);
  credential.disabled = disabled;
  return true;
}
