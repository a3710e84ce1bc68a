import { script } from "./redis-client.js";

/**
 * Shared Lua: exact arithmetic on amounts (bigints: wei overflow Lua's doubles), the entry and the asset state.
 *
 * An amount is 6 limbs of base 10^15, lowest first, each a double holding an integer below 10^15 (exact: sums of
 * two limbs stay below 2^53), so up to 10^90 - 1; amounts and limits are at most 2^256 (78 digits, checked by the
 * client). A number `x` is read at an offset `o` of a Lua array: `x[o + 1]` .. `x[o + 6]`. Adding, subtracting and
 * comparing are a few Lua operations on doubles: no string is built, parsed or formatted for them.
 *
 * The state of one asset (field `s:<asset>` of the scope hash) is such an array packed with `struct.pack` as
 * little-endian doubles: `cleanAt`, the lifetime total (6 limbs), then per rolling window ever used with the asset
 * `windowMs`, `since`, `next`, its sum (6 limbs) - the sum of the amounts reserved after `since` (the window's
 * lower bound when last advanced), and `next` a lower bound of the oldest counted reservation's time (-1: none
 * counted), so that advancing the window reads the sorted set only when a reservation may have left it.
 * `cleanAt`: when reservations older than the retention are next dropped from the sorted set. One `struct.unpack`
 * reads it, one `struct.pack` writes it.
 */
export const PRELUDE = `
local B = 1e15
-- x > y
local function over(x, o, y, p)
  for i = 6, 1, -1 do
    local u, v = x[o + i], y[p + i]
    if u ~= v then return u > v end
  end
  return false
end
-- x = x + y; true when the sum does not fit in 6 limbs (x is then wrong: refuse before writing it)
local function addTo(x, o, y, p)
  local c = 0
  for i = 1, 6 do
    local v = x[o + i] + y[p + i] + c
    if v >= B then x[o + i] = v - B; c = 1 else x[o + i] = v; c = 0 end
  end
  return c > 0
end
-- x = x - y, never below 0 (x >= y unless the data was tampered with)
local function subFrom(x, o, y, p)
  if over(y, p, x, o) then
    for i = 1, 6 do x[o + i] = 0 end
    return
  end
  local c = 0
  for i = 1, 6 do
    local v = x[o + i] - y[p + i] - c
    if v < 0 then x[o + i] = v + B; c = 1 else x[o + i] = v; c = 0 end
  end
end
-- the limbs of a decimal string of at most 90 digits, written at x[o + 1] .. x[o + 6]
local function limbs(text, x, o)
  local n = #text
  for i = 1, 6 do
    if n > 0 then x[o + i] = tonumber(string.sub(text, n > 15 and n - 14 or 1, n)) else x[o + i] = 0 end
    n = n - 15
  end
  return x
end
-- the struct format of n little-endian doubles
local function doubles(n)
  if n < 64 then return string.sub('<${"d".repeat(63)}', 1, n + 1) end
  return '<' .. string.rep('d', n)
end
local function unpackDoubles(bytes)
  local t = { struct.unpack(doubles(#bytes / 8), bytes) }
  t[#t] = nil -- struct.unpack also returns the position after the last value
  return t
end
local function packDoubles(t) return struct.pack(doubles(#t), unpack(t)) end
local function int(n) return string.format('%d', n) end
-- an entry: '<R | C<pass>> <time> <length of fingerprint> <fingerprint><JSON [[asset, amount], ...]>'
-- -> state, time, fingerprint, JSON, and for a committed one the number of the last pass before its commit
local function parseEntry(v)
  local z = string.find(v, ' ', 2, true)
  local a = string.find(v, ' ', z + 1, true)
  local b = string.find(v, ' ', a + 1, true)
  local n = tonumber(string.sub(v, a + 1, b - 1))
  return string.sub(v, 1, 1), tonumber(string.sub(v, z + 1, a - 1)), string.sub(v, b + 1, b + n),
    string.sub(v, b + n + 1), tonumber(string.sub(v, 2, z - 1)) or -1
end
`;

/** The most entries one pass forgets per sorted set (the rest on the next reservations: bounded script time). */
const FORGET_BATCH = 256;

/** The most rolling windows of one asset the short path takes (straight-line code per count: 0, 1, 2). */
export const USUAL_WINDOWS = 2;

const doubles = (n: number) => `'<${"d".repeat(n)}'`;
const names = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);
/** Lua: `ok` becomes false unless x <= y (6 limbs each, named x1..x6, y1..y6), compared from the top limb. */
const notOver = (x: string, y: string) =>
  `  if ok then\n    if ${[6, 5, 4, 3, 2]
    .map((i) => `${x}${i} ~= ${y}${i} then ok = ${x}${i} < ${y}${i}`)
    .join(" elseif ")} else ok = ${x}1 <= ${y}1 end\n  end\n`;
/** Lua: x = x + m (6 limbs); a carry out of the top limb returns 'overflow' before anything is written. */
const add = (x: string) =>
  [1, 2, 3, 4, 5, 6]
    .map((i) =>
      i < 6
        ? `    ${x}${i} = ${x}${i} + m${i}${i > 1 ? " + c" : ""}; if ${x}${i} >= 1e15 then ${x}${i} = ${x}${i} - 1e15; c = 1 else c = 0 end\n`
        : `    ${x}6 = ${x}6 + m6 + c; if ${x}6 >= 1e15 then return {'overflow'} end\n`,
    )
    .join("");

/**
 * The usual reservation for an asset with `k` rolling windows, as straight-line Lua on named locals (no table, no
 * loop, no function): the request checks the lifetime total and exactly the `k` windows of the asset's state, in
 * the same order. `probe`: answer 'usual:<k>' instead of writing (tests).
 */
function usualFor(k: number, probe: boolean): string {
  const w = Array.from({ length: k }, (_, i) => i + 1);
  // the client's numbers: now, retention, amount m1..m6, lifetime threshold l1..l6, count, per window its
  // windowMs and threshold; the state: cleanAt, total t1..t6, per window windowMs, since, next, sum
  const args = ["a0", "ret", ...names("m", 1, 6), ...names("l", 1, 6), "nw"];
  const state = ["clean", ...names("t", 1, 6)];
  for (const i of w) {
    args.push(`w${i}`, ...names(`v${i}_`, 1, 6));
    state.push(`x${i}`, `s${i}`, `e${i}`, ...names(`u${i}_`, 1, 6));
  }
  const written = state.map((name) => (/^s\d$/.test(name) ? `b${name.slice(1)}` : name));
  let lua = `elseif na == ${8 * args.length} and ns == ${8 * state.length} then
  local ${args.join(", ")} = struct.unpack(${doubles(args.length)}, ARGV[1])
  now = a0
  if now < 0 then
    local t = redis.call('TIME')
    now = t[1] * 1000 + (t[2] - t[2] % 1000) / 1000
  end
  local n1, _, n3 = struct.unpack('<ddd', pn)
  local ${state.join(", ")} = struct.unpack(${doubles(state.length)}, st)
  local ok = nw == ${k} and now < n3 and now < clean
`;
  for (const i of w) {
    // the window's bound now; nothing may have left it (next past the bound), nor the clock gone back
    lua += `  local b${i} = now - x${i}
  ok = ok and w${i} == x${i} and b${i} >= s${i} and not (b${i} > s${i} and e${i} >= 0 and e${i} <= b${i})
`;
  }
  lua += notOver("t", "l");
  for (const i of w) lua += notOver(`u${i}_`, `v${i}_`);
  lua += "  if ok then\n    local c = 0\n";
  if (probe)
    return `${lua}    return 'usual:${k}'
  end
`;
  lua += add("t");
  for (const i of w) {
    lua += `${add(`u${i}_`)}    if e${i} < 0 or now < e${i} then e${i} = now end
`;
  }
  return `${lua}    local stamp = string.format('%d', now)
    redis.call('ZADD', KEYS[3], stamp, ARGV[5])
    redis.call('HSET', KEYS[1], sk, struct.pack(${doubles(written.length)}, ${written.join(", ")}),
      'n', struct.pack('<ddd', n1 + 1, now - ret, n3), ek, 'R ' .. stamp .. ' ' .. ARGV[3])
    return 'reserved'
  end
`;
}

/**
 * The usual reservation, run before any of the general code is even defined: one asset, a new key, a last pass
 * and a state already there, the request checking exactly the asset's windows (at most `USUAL_WINDOWS`, in the
 * state's order), nothing leaving any window (no sorted-set read), no clean-up due, every limit kept. It computes
 * exactly what the general code computes in that case, with the same commands (HMGET, TIME, ZADD, HSET) and the
 * same writes, on named locals: a third of the general code's Lua time. Anything else goes on to the general code
 * with what it read (`got`, `now`); nothing was written. `probe` (tests): answer 'usual:<windows>' where it would
 * reserve, and 'general' where the general code would run.
 */
export function usualPath(probe = false): string {
  let lua = `
local got, now
if #KEYS == 3 then
  local ek, sk = 'e:' .. ARGV[2], 's:' .. ARGV[4]
  got = redis.call('HMGET', KEYS[1], ek, 'n', sk)
  local st, pn = got[3], got[2]
  local na, ns = #ARGV[1], st and pn and not got[1] and #st or 0
  if ns == 0 then
    -- a reused key, a first reservation of the asset or of the scope: the general code
`;
  for (let k = 0; k <= USUAL_WINDOWS; k += 1) {
    lua += usualFor(k, probe).replace(/^(?=.)/gm, "  ");
  }
  return `${lua}  end
end
${probe ? "return 'general'\n" : ""}`;
}

/**
 * Reserve. KEYS: the scope hash, the scope's keys set, then the sorted set of each asset (in ARGV order).
 * ARGV: the numbers (little-endian doubles, one `struct.unpack`): now (-1 = Redis TIME), retention ms, then per
 * asset its amount (the sum of the request's items of that asset), its lifetime threshold, the number of
 * windows it checks and per window `windowMs` and its threshold (amounts and thresholds in 6 limbs); then the
 * key, the entry's tail `<fingerprint length> <fingerprint><JSON [[asset, amount], ...]>` (what release gives
 * back), and per asset its name and its sorted-set member `<amount>:<key>`.
 *
 * A threshold is the largest used sum every check of that (asset, window) still lets through: the least
 * `limit - item amount` over them, computed by the client; -1 (in every limb) when no used sum does (an item
 * larger than its limit), 10^90 (top limb 10^16) for an asset without a lifetime limit. So the script compares
 * each used sum with one number and never needs the request's items, rules or limits; on a refusal it returns
 * every used sum and the client names the first check (in the request's order) that fails, as a check-by-check
 * loop would.
 * -> 'reserved' | {'replay', state} | {'conflict'} | {'exceeded', per asset the lifetime total and the sum of
 * each window checked, 6 limbs each} | {'overflow'} (a sum past 10^90: nothing written)
 *
 * Calls on the usual path: HMGET (the entry, the last pass and the states of the assets at once), TIME (without
 * an injected clock), ZADD per asset (or into the keys set for an item-less call), HSET (the entry, the pass and
 * the states at once). A window reads its sorted set only when a reservation may have left it.
 *
 * Forgetting (the same as `MemorySpendLedger`): every new reservation is a pass (field `n`: its number, its
 * cutoff `now - retention`, and when the keys set is next cleaned) that forgets the committed entries made at or
 * before its cutoff. Logically at once: a committed entry (which records the number of the last pass before its
 * commit) whose time is at or before the cutoff of a later pass counts as absent, so its replay reserves again.
 * Physically every `retention / 16` per sorted set (and for the keys set): its members past the cutoff are read,
 * the committed entries deleted (HDEL), held ones (never committed nor released) kept with their key put in the
 * keys set, looked at again a retention later; at most FORGET_BATCH per pass, the rest on the next ones.
 */
export const RESERVE = script(`${usualPath()}${PRELUDE}
local H, K, key = KEYS[1], KEYS[2], ARGV[2]
local nA = #KEYS - 2
if got then
  -- read by the usual path above
elseif nA == 1 then
  got = redis.call('HMGET', H, 'e:' .. key, 'n', 's:' .. ARGV[4])
else
  local fields = { 'e:' .. key, 'n' }
  for i = 1, nA do fields[i + 2] = 's:' .. ARGV[2 + 2 * i] end
  got = redis.call('HMGET', H, unpack(fields))
end
-- the last pass: its number, its cutoff (now - retention), when the keys set is next cleaned
local pass = { 0, -1, 0 }
if got[2] then pass[1], pass[2], pass[3] = struct.unpack('<ddd', got[2]) end
if got[1] then
  local state, at, efp, _, committedAfter = parseEntry(got[1])
  -- a committed entry is forgotten once a pass after its commit found it past the retention: reserve it again
  if not (state == 'C' and committedAfter < pass[1] and at <= pass[2]) then
    local tail = ARGV[3]
    local sp = string.find(tail, ' ', 1, true)
    if efp ~= string.sub(tail, sp + 1, sp + tonumber(string.sub(tail, 1, sp - 1))) then return {'conflict'} end
    return {'replay', state == 'C' and 'committed' or 'reserved'}
  end
end
local a = unpackDoubles(ARGV[1])
if not now then
  now = a[1]
  if now < 0 then
    local t = redis.call('TIME')
    now = t[1] * 1000 + (t[2] - t[2] % 1000) / 1000
  end
end
local retention = a[2]
local cut = now - retention
pass[1], pass[2] = pass[1] + 1, cut
-- the sum of the amounts of the members scored in (lo, hi], added to x at o; members are '<amount>:<key>'
local overflow = false
local function sumRange(z, lo, hi, x, o)
  local n = {}
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', z, '(' .. int(lo), hi)) do
    if addTo(x, o, limbs(string.sub(m, 1, string.find(m, ':', 1, true) - 1), n, 0), 0) then overflow = true end
  end
end
local function firstAfter(z, lo)
  local r = redis.call('ZRANGEBYSCORE', z, '(' .. int(lo), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #r == 0 then return -1 end
  return tonumber(r[2])
end
local states, checks, amounts, exceeded = {}, {}, {}, false
local p = 2
for i = 1, nA do
  local z = KEYS[i + 2]
  local s = got[i + 2] and unpackDoubles(got[i + 2]) or { 0, 0, 0, 0, 0, 0, 0 }
  amounts[i] = p
  if over(s, 1, a, p + 6) then exceeded = true end
  -- the windows this request checks (offsets in s and in a), first used ones added
  local nW, c = a[p + 13], {}
  p = p + 13
  for _ = 1, nW do
    local w, at = a[p + 1], nil
    for q = 7, #s - 1, 9 do
      if s[q + 1] == w then at = q; break end
    end
    if not at then
      at = #s
      -- since = +inf: advanced below as when the clock went back, by summing the sorted set
      s[at + 1], s[at + 2], s[at + 3] = w, math.huge, -1
      for k = 4, 9 do s[at + k] = 0 end
    end
    c[#c + 1] = at
    c[#c + 1] = p + 1
    p = p + 7
  end
  -- advance every window of the asset to now
  for q = 7, #s - 1, 9 do
    local lower, since = now - s[q + 1], s[q + 2]
    if lower < since then
      for k = 4, 9 do s[q + k] = 0 end
      sumRange(z, lower, '+inf', s, q + 3)
      s[q + 2], s[q + 3] = lower, firstAfter(z, lower)
    elseif lower > since then
      if s[q + 3] >= 0 and s[q + 3] <= lower then
        local gone = { 0, 0, 0, 0, 0, 0 }
        sumRange(z, since, int(lower), gone, 0)
        subFrom(s, q + 3, gone, 0)
        s[q + 3] = firstAfter(z, lower)
      end
      s[q + 2] = lower
    end
  end
  for k = 1, #c, 2 do
    if over(s, c[k] + 3, a, c[k + 1]) then exceeded = true end
  end
  states[i], checks[i] = s, c
end
if overflow then return {'overflow'} end
if exceeded then
  local out, used = { 'n', struct.pack('<ddd', pass[1], pass[2], pass[3]) }, { 'exceeded' }
  for i = 1, nA do
    local s, c = states[i], checks[i]
    out[#out + 1] = 's:' .. ARGV[2 + 2 * i]
    out[#out + 1] = packDoubles(s)
    for k = 2, 7 do used[#used + 1] = s[k] end
    for k = 1, #c, 2 do
      for l = 4, 9 do used[#used + 1] = s[c[k] + l] end
    end
  end
  redis.call('HSET', H, unpack(out))
  return used
end
for i = 1, nA do
  local s, m = states[i], amounts[i]
  if addTo(s, 1, a, m) then return {'overflow'} end
  for q = 7, #s - 1, 9 do
    if addTo(s, q + 3, a, m) then return {'overflow'} end
    if s[q + 3] < 0 or now < s[q + 3] then s[q + 3] = now end
  end
end
local stamp = int(now)
-- forgets the committed entries of keys past the retention (this pass forgets them: HDEL); a reservation never
-- committed nor released is kept, its key moved to (or left in) the keys set, checked again a retention later.
-- -> the keys to remove from the keys set
local function forget(keys)
  local fields, gone, held, drop = {}, {}, {}, {}
  for j = 1, #keys do fields[j] = 'e:' .. keys[j] end
  local entries = redis.call('HMGET', H, unpack(fields))
  for j = 1, #keys do
    local v = entries[j]
    if not v then
      drop[#drop + 1] = keys[j]
    else
      local state, at = parseEntry(v)
      if at > cut then
        drop[#drop + 1] = keys[j] -- reserved again since: counted by a sorted set or the keys set anew
      elseif state == 'C' then
        gone[#gone + 1] = fields[j]
        drop[#drop + 1] = keys[j]
      else
        held[#held + 1] = stamp
        held[#held + 1] = keys[j]
      end
    end
  end
  if #gone > 0 then redis.call('HDEL', H, unpack(gone)) end
  if #held > 0 then redis.call('ZADD', K, unpack(held)) end
  return drop
end
local out = {}
for i = 1, nA do
  local s, z = states[i], KEYS[i + 2]
  redis.call('ZADD', z, stamp, ARGV[3 + 2 * i])
  -- forget reservations older than the retention (outside every window, all advanced above), at most BATCH
  -- per pass; their amounts stay in the lifetime total
  if now >= s[1] then
    local old = redis.call('ZRANGEBYSCORE', z, '-inf', int(cut), 'LIMIT', 0, ${FORGET_BATCH})
    if #old > 0 then
      local keys = {}
      for j = 1, #old do keys[j] = string.sub(old[j], string.find(old[j], ':', 1, true) + 1) end
      forget(keys)
      redis.call('ZREM', z, unpack(old))
    end
    if #old < ${FORGET_BATCH} then s[1] = now + math.max(1, math.floor(retention / 16)) end
  end
  out[#out + 1] = 's:' .. ARGV[2 + 2 * i]
  out[#out + 1] = packDoubles(s)
end
-- the keys set: item-less reservations (no sorted set counts them) and held reservations past the retention
if nA == 0 then redis.call('ZADD', K, stamp, key) end
if now >= pass[3] then
  local old = redis.call('ZRANGEBYSCORE', K, '-inf', int(cut), 'LIMIT', 0, ${FORGET_BATCH})
  if #old > 0 then
    local drop = forget(old)
    if #drop > 0 then redis.call('ZREM', K, unpack(drop)) end
  end
  if #old < ${FORGET_BATCH} then pass[3] = now + math.max(1, math.floor(retention / 16)) end
end
out[#out + 1] = 'n'
out[#out + 1] = struct.pack('<ddd', pass[1], pass[2], pass[3])
out[#out + 1] = 'e:' .. key
out[#out + 1] = 'R ' .. stamp .. ' ' .. ARGV[3]
redis.call('HSET', H, unpack(out))
return 'reserved'
`);

/**
 * Commit. KEYS: the scope hash. ARGV: key. Marks a reserved entry committed, with the number of the last pass
 * (so that only a later pass forgets it). -> 1 when changed.
 */
export const COMMIT = script(`
local got = redis.call('HMGET', KEYS[1], 'e:' .. ARGV[1], 'n')
local existing = got[1]
if not existing or string.sub(existing, 1, 1) ~= 'R' then return 0 end
local pass = got[2] and struct.unpack('<d', got[2]) or 0
redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], 'C' .. string.format('%d', pass) .. string.sub(existing, 2))
return 1
`);

/** KEYS: the scope hash. ARGV: key. -> the assets of a reserved entry (a list), or false. */
export const ENTRY_ASSETS = script(`${PRELUDE}
local existing = redis.call('HGET', KEYS[1], 'e:' .. ARGV[1])
if not existing then return false end
local state, _, _, payload = parseEntry(existing)
if state ~= 'R' then return false end
local assets = {}
for i, pair in ipairs(cjson.decode(payload)) do assets[i] = pair[1] end
return assets
`);

/**
 * Release. KEYS: the scope hash, then the sorted set of each asset of the entry (in the entry's order).
 * ARGV: key, then the entry's asset names. Removes a reserved entry and gives its amounts back to the totals and
 * to every window that still counts it. -> 1 when released, 0 when there was nothing to release, -1 when the
 * caller passed other assets than the entry's (it reads them again and retries).
 */
export const RELEASE_SPEND = script(`${PRELUDE}
local H, key = KEYS[1], ARGV[1]
local existing = redis.call('HGET', H, 'e:' .. key)
if not existing then return 0 end
local state, at, _, payload = parseEntry(existing)
if state ~= 'R' then return 0 end
local pairs_ = cjson.decode(payload)
local nA = #pairs_
if nA ~= #KEYS - 1 or nA ~= #ARGV - 1 then return -1 end
for i = 1, nA do
  if pairs_[i][1] ~= ARGV[1 + i] then return -1 end
end
local fields = {}
for i = 1, nA do fields[i] = 's:' .. ARGV[1 + i] end
local got = nA > 0 and redis.call('HMGET', H, unpack(fields)) or {}
local out = {}
for i = 1, nA do
  local amount = pairs_[i][2]
  local n = limbs(amount, {}, 0)
  local s = got[i] and unpackDoubles(got[i]) or { 0, 0, 0, 0, 0, 0, 0 }
  subFrom(s, 1, n, 0)
  if redis.call('ZREM', KEYS[i + 1], amount .. ':' .. key) == 1 then
    for q = 7, #s - 1, 9 do
      if at > s[q + 2] then subFrom(s, q + 3, n, 0) end
    end
  end
  out[#out + 1] = 's:' .. ARGV[1 + i]
  out[#out + 1] = packDoubles(s)
end
if nA > 0 then redis.call('HSET', H, unpack(out)) end
redis.call('HDEL', H, 'e:' .. key)
return 1
`);
