/** The scopes a credential can hold and a token can carry. */
export const KNOWN_SCOPES = ["agents.read", "wallet.sign", "wallet.send"] as const;

/** One known scope. */
export type Scope = (typeof KNOWN_SCOPES)[number];

/** Whether `value` is a known scope name. */
export function isScope(value: string): value is Scope {
  return (KNOWN_SCOPES as readonly string[]).includes(value);
}
