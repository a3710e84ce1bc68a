/**
 * Key layout. Every key of one agent (or one ledger scope) carries the same hash tag `{...}`, so a Redis
 * Cluster keeps them in one slot and the Lua scripts may touch them together:
 *
 * | key | type | what |
 * |---|---|---|
 * | `<prefix>{<agentRef>}:store:<key>` | hash `v`, `ver`, `fence` | a stored value, its write counter, the fence of its writer |
 * | `<prefix>{<agentRef>}:fence:<key>` | string (INCR) | the last fencing number handed out for `<key>` |
 * | `<prefix>{<agentRef>}:lease:<key>` | string, PX | the refresh lease: the holder's random owner id |
 * | `<prefix>ledger:{<scope>}:entries` | hash | reservation key -> JSON `{ f, s, at, items }` |
 * | `<prefix>ledger:{<scope>}:total` | hash | asset -> live (reserved + committed) total, decimal |
 * | `<prefix>ledger:{<scope>}:win:<asset>` | sorted set | reservation key scored by its time (ms), for windows |
 * | `<prefix>ledger:{<scope>}:amt:<asset>` | hash | reservation key -> amount of `<asset>`, decimal |
 * | `<prefix>ledger:{<scope>}:wsum:<asset>` | hash | windowMs -> `"<running sum>|<window start>"` |
 */

/** The default key prefix. */
export const DEFAULT_PREFIX = "lucid:";

/** The keys of one stored value of one agent. */
export const storageKeys = (prefix: string, agentRef: string, key: string) => {
  const base = `${prefix}{${agentRef}}:`;
  return { store: `${base}store:${key}`, fence: `${base}fence:${key}`, lease: `${base}lease:${key}` };
};

/** The keys of one ledger scope (per-asset keys are made with `asset`). */
export const ledgerKeys = (prefix: string, scope: string) => {
  const base = `${prefix}ledger:{${scope}}:`;
  return {
    entries: `${base}entries`,
    total: `${base}total`,
    window: (asset: string) => `${base}win:${asset}`,
    amounts: (asset: string) => `${base}amt:${asset}`,
    windowSums: (asset: string) => `${base}wsum:${asset}`,
  };
};
