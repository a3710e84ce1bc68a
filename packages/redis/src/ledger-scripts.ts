import { script } from "./redis-client.js";

/**
 * Shared Lua: exact decimal arithmetic on strings (amounts are bigints: wei overflow Lua's doubles), the clock,
 * and the per-asset window state.
 *
 * Numbers are decimal strings without leading zeros. Up to 15 digits they are added as doubles (exact below
 * 2^53), up to 28 in two limbs of 14 digits, longer ones in a loop of such limbs. No float ever reaches a stored amount. Integers are formatted with
 * `%d` (a 64-bit long in Redis's Lua), several times cheaper than `%.0f` or `tostring`.
 *
 * Window state of one asset (field `w:<asset>` of the scope hash), space-separated:
 * `<cleanAt> (<windowMs> <sum> <since> <next>)*`: for each rolling window ever used with the asset, the sum of
 * the amounts reserved after `since` (the window's lower bound when last advanced), and `next`, a lower bound of
 * the oldest counted reservation's time (-1: none counted), so that advancing the window reads the sorted set
 * only when a reservation may have left it. `cleanAt`: when reservations older than the retention are next
 * dropped from the sorted set.
 */
const PRELUDE = `
local function add(a, b)
  if a == '0' then return b end
  if b == '0' then return a end
  local la, lb = #a, #b
  if la < 16 and lb < 16 then return string.format('%d', tonumber(a) + tonumber(b)) end
  if la <= 28 and lb <= 28 then
    -- two limbs of 14 digits: the usual wei amounts and sums
    local lo = tonumber(string.sub(a, -14)) + tonumber(string.sub(b, -14))
    local hi = (la > 14 and tonumber(string.sub(a, 1, la - 14)) or 0) + (lb > 14 and tonumber(string.sub(b, 1, lb - 14)) or 0)
    if lo >= 1e14 then lo = lo - 1e14; hi = hi + 1 end
    if hi > 0 then return string.format('%d%014d', hi, lo) end
    return string.format('%d', lo)
  end
  local limbs, carry, i, j = {}, 0, #a, #b
  while i > 0 or j > 0 or carry > 0 do
    local x = i > 0 and tonumber(string.sub(a, math.max(1, i - 13), i)) or 0
    local y = j > 0 and tonumber(string.sub(b, math.max(1, j - 13), j)) or 0
    local s = x + y + carry
    if s >= 1e14 then s = s - 1e14; carry = 1 else carry = 0 end
    limbs[#limbs + 1] = s
    i = i - 14; j = j - 14
  end
  local parts = { string.format('%d', limbs[#limbs]) }
  for k = #limbs - 1, 1, -1 do parts[#parts + 1] = string.format('%014d', limbs[k]) end
  return table.concat(parts)
end
local function cmp(a, b)
  if #a ~= #b then return (#a < #b) and -1 or 1 end
  if a == b then return 0 end
  return (a < b) and -1 or 1
end
-- a - b, never below 0 (a >= b unless the data was tampered with)
local function sub(a, b)
  if cmp(a, b) <= 0 then return '0' end
  if #a < 16 then return string.format('%d', tonumber(a) - tonumber(b)) end
  local limbs, borrow, i, j = {}, 0, #a, #b
  while i > 0 do
    local x = tonumber(string.sub(a, math.max(1, i - 13), i))
    local y = j > 0 and tonumber(string.sub(b, math.max(1, j - 13), j)) or 0
    local s = x - y - borrow
    if s < 0 then s = s + 1e14; borrow = 1 else borrow = 0 end
    limbs[#limbs + 1] = s
    i = i - 14; j = j - 14
  end
  while #limbs > 1 and limbs[#limbs] == 0 do limbs[#limbs] = nil end
  local parts = { string.format('%d', limbs[#limbs]) }
  for k = #limbs - 1, 1, -1 do parts[#parts + 1] = string.format('%014d', limbs[k]) end
  return table.concat(parts)
end
local function clock(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(n) return string.format('%d', n) end
local function parseWindows(text)
  local s = { clean = 0, wins = {}, order = {} }
  if not text then return s end
  local _, e, clean = string.find(text, '^(%S+)')
  s.clean = tonumber(clean)
  while true do
    local _, last, w, sum, since, nxt = string.find(text, '^ (%S+) (%S+) (%S+) (%S+)', e + 1)
    if not last then return s end
    s.wins[w] = { sum = sum, since = tonumber(since), next = tonumber(nxt) }
    s.order[#s.order + 1] = w
    e = last
  end
end
-- an entry: '<state R|C> <time> <length of fingerprint> <fingerprint><JSON [[asset, amount], ...]>'
local function parseEntry(v)
  local a = string.find(v, ' ', 3, true)
  local b = string.find(v, ' ', a + 1, true)
  local n = tonumber(string.sub(v, a + 1, b - 1))
  return string.sub(v, 1, 1), tonumber(string.sub(v, 3, a - 1)), string.sub(v, b + 1, b + n), string.sub(v, b + n + 1)
end
local function formatWindows(s)
  local parts = { int(s.clean) }
  for _, w in ipairs(s.order) do
    local v = s.wins[w]
    parts[#parts + 1] = w .. ' ' .. v.sum .. ' ' .. int(v.since) .. ' ' .. int(v.next)
  end
  return table.concat(parts, ' ')
end
`;

/**
 * Reserve. KEYS: the scope hash, then the sorted set of each asset (in ARGV order).
 * ARGV: now ('' = Redis TIME), retention ms, key, fingerprint, the entry's assets and amounts as JSON
 * `[[asset, amount], ...]` (kept for release), number of assets A, then A times (asset, amount: the sum of the
 * request's items of that asset), then the number of checks C, then C times (asset index 1-based, item amount,
 * limit amount, windowMs or '' for a lifetime limit, rule).
 * -> {'reserved'} | {'replay', state} | {'conflict'} | {'exceeded', asset, rule, limit, used}
 *
 * Calls on the usual path: HMGET (entry, totals and window states at once), ZADD per asset, HSET (entry,
 * totals and window states at once). A window reads its sorted set only when a reservation may have left it.
 * Everything the script needs comes flat in ARGV: it decodes no JSON.
 */
export const RESERVE = script(`${PRELUDE}
local H = KEYS[1]
local now = clock(ARGV[1])
local key, fp = ARGV[3], ARGV[4]
local nA = tonumber(ARGV[6])
local fields = { 'e:' .. key }
for i = 1, nA do
  local asset = ARGV[5 + 2 * i]
  fields[2 * i] = 't:' .. asset
  fields[2 * i + 1] = 'w:' .. asset
end
local got = redis.call('HMGET', H, unpack(fields))
if got[1] then
  local state, _, efp = parseEntry(got[1])
  if efp ~= fp then return {'conflict'} end
  return {'replay', state == 'C' and 'committed' or 'reserved'}
end
local c0 = 7 + 2 * nA
local nC = tonumber(ARGV[c0])
local totals, states = {}, {}
for i = 1, nA do
  totals[i] = got[2 * i] or '0'
  states[i] = parseWindows(got[2 * i + 1])
end
for c = 1, nC do
  local w = ARGV[c0 + 5 * c - 1]
  if w ~= '' then
    local s = states[tonumber(ARGV[c0 + 5 * c - 4])]
    if s.wins[w] == nil then
      s.wins[w] = false
      s.order[#s.order + 1] = w
    end
  end
end
-- the sum of the amounts of the members scored in (lo, hi]; members are '<amount>:<key>'
local function sumRange(z, lo, hi)
  local sum = '0'
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', z, '(' .. int(lo), hi)) do
    sum = add(sum, string.sub(m, 1, string.find(m, ':', 1, true) - 1))
  end
  return sum
end
local function firstAfter(z, lo)
  local r = redis.call('ZRANGEBYSCORE', z, '(' .. int(lo), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #r == 0 then return -1 end
  return tonumber(r[2])
end
-- advance every window of the request's assets to now
for i = 1, nA do
  local z, s = KEYS[i + 1], states[i]
  for _, w in ipairs(s.order) do
    local v, lower = s.wins[w], now - tonumber(w)
    if not v or lower < v.since then
      v = { sum = sumRange(z, lower, '+inf'), since = lower, next = firstAfter(z, lower) }
    elseif lower > v.since then
      if v.next >= 0 and v.next <= lower then
        v.sum = sub(v.sum, sumRange(z, v.since, int(lower)))
        v.next = firstAfter(z, lower)
      end
      v.since = lower
    end
    s.wins[w] = v
  end
end
-- check; (used + item amount) is the new sum when the item's amount is the asset's whole amount
local after = {}
for i = 1, nA do after[i] = {} end
for c = 1, nC do
  local b = c0 + 5 * c - 5
  local a, n, limit, w = tonumber(ARGV[b + 1]), ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local used
  if w == '' then used = totals[a] else used = states[a].wins[w].sum end
  local sum = add(used, n)
  if n == ARGV[6 + 2 * a] then after[a][w] = sum end
  if cmp(sum, limit) > 0 then
    local out = {}
    for i = 1, nA do
      out[#out + 1] = 'w:' .. ARGV[5 + 2 * i]
      out[#out + 1] = formatWindows(states[i])
    end
    redis.call('HSET', H, unpack(out))
    return {'exceeded', ARGV[5 + 2 * a], ARGV[b + 5], limit, used}
  end
end
local retention = tonumber(ARGV[2])
local out = {}
for i = 1, nA do
  local asset, amount, s, z, known = ARGV[5 + 2 * i], ARGV[6 + 2 * i], states[i], KEYS[i + 1], after[i]
  for _, w in ipairs(s.order) do
    local v = s.wins[w]
    v.sum = known[w] or add(v.sum, amount)
    if v.next < 0 or now < v.next then v.next = now end
  end
  redis.call('ZADD', z, now, amount .. ':' .. key)
  -- forget reservations older than the retention (outside every window, all advanced above); their amounts
  -- stay in the lifetime total
  if now >= s.clean then
    redis.call('ZREMRANGEBYSCORE', z, '-inf', int(now - retention))
    s.clean = now + math.max(1, math.floor(retention / 16))
  end
  out[#out + 1] = 't:' .. asset
  out[#out + 1] = known[''] or add(totals[i], amount)
  out[#out + 1] = 'w:' .. asset
  out[#out + 1] = formatWindows(s)
end
out[#out + 1] = 'e:' .. key
out[#out + 1] = 'R ' .. int(now) .. ' ' .. #fp .. ' ' .. fp .. ARGV[5]
redis.call('HSET', H, unpack(out))
return {'reserved'}
`);

/** Commit. KEYS: the scope hash. ARGV: key. Marks a reserved entry committed. -> 1 when changed. */
export const COMMIT = script(`
local existing = redis.call('HGET', KEYS[1], 'e:' .. ARGV[1])
if not existing or string.sub(existing, 1, 1) ~= 'R' then return 0 end
redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], 'C' .. string.sub(existing, 2))
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
for i = 1, nA do
  fields[2 * i - 1] = 't:' .. ARGV[1 + i]
  fields[2 * i] = 'w:' .. ARGV[1 + i]
end
local got = redis.call('HMGET', H, unpack(fields))
local out = {}
for i = 1, nA do
  local amount = pairs_[i][2]
  out[#out + 1] = 't:' .. ARGV[1 + i]
  out[#out + 1] = sub(got[2 * i - 1] or '0', amount)
  if redis.call('ZREM', KEYS[i + 1], amount .. ':' .. key) == 1 and got[2 * i] then
    local s = parseWindows(got[2 * i])
    for _, w in ipairs(s.order) do
      local v = s.wins[w]
      if at > v.since then v.sum = sub(v.sum, amount) end
    end
    out[#out + 1] = 'w:' .. ARGV[1 + i]
    out[#out + 1] = formatWindows(s)
  end
end
redis.call('HSET', H, unpack(out))
redis.call('HDEL', H, 'e:' .. key)
return 1
`);
