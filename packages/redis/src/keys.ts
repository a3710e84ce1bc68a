/**
 * Key layout. Every key of one agent (or one ledger scope) carries the same hash tag `{...}`, so a Redis
 * Cluster keeps them in one slot and the Lua scripts may touch them together:
 *
 * | key | type | what |
 * |---|---|---|
 * | `<prefix>{<agentRef>}:store:<key>` | hash `v`, `ver`, `fence` | a stored value, its write counter, the fence of its writer |
 * | `<prefix>{<agentRef>}:fence:<key>` | string (INCR) | the last fencing number handed out for `<key>` |
 * | `<prefix>{<agentRef>}:lease:<key>` | string, PX | the refresh lease: the holder's random owner id |
 * | `<prefix>ledger:{<scope>}:v3` | hash | `e:<key>` the reservation (`<R|C<pass>> <ms> <fingerprint length> <fingerprint><JSON [[asset, amount], ...]>`); `s:<asset>` the asset's state: live (reserved + committed) total and rolling-window sums, packed doubles; `n` the last pass (number, cutoff, next clean-up of the keys set; see `ledger-scripts.ts`) |
 * | `<prefix>ledger:{<scope>}:v3:win:<asset>` | sorted set | `<amount>:<key>` scored by the reservation's time (ms) |
 * | `<prefix>ledger:{<scope>}:v3:keys` | sorted set | keys of item-less reservations and of held ones past the retention, scored by when to look again |
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
    scope: `${base}v3`,
    /** Item-less reservations and held ones past the retention (see RESERVE). */
    keys: `${base}v3:keys`,
    window: (asset: string) => `${base}v3:win:${asset}`,
  };
};
