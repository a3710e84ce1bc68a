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
  local t = {}
  for tok in string.gmatch(text, '%S+') do t[#t + 1] = tok end
  s.clean = tonumber(t[1])
  for j = 2, #t, 4 do
    s.wins[t[j]] = { sum = t[j + 1], since = tonumber(t[j + 2]), next = tonumber(t[j + 3]) }
    s.order[#s.order + 1] = t[j]
  end
  return s
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
 * ARGV: now ('' = Redis TIME), retention ms, key, fingerprint, number of assets A, the A asset names, number of
 * items, then per item: asset index (1-based), amount, number of limits L, then L times (rule, amount,
 * windowMs or '' for a lifetime limit).
 * -> {'reserved'} | {'replay', state} | {'conflict'} | {'exceeded', asset, rule, limit, used}
 *
 * Calls on the usual path: HMGET (entry, totals and window states at once), ZADD per asset, HSET (entry,
 * totals and window states at once). A window reads its sorted set only when a reservation may have left it.
 */
export const RESERVE = script(`${PRELUDE}
local H = KEYS[1]
local now = clock(ARGV[1])
local retention = tonumber(ARGV[2])
local key, fp = ARGV[3], ARGV[4]
local nA = tonumber(ARGV[5])
local fields = { 'e:' .. key }
for i = 1, nA do
  fields[2 * i] = 't:' .. ARGV[5 + i]
  fields[2 * i + 1] = 'w:' .. ARGV[5 + i]
end
local got = redis.call('HMGET', H, unpack(fields))
if got[1] then
  local state, efp = cmsgpack.unpack(got[1])
  if efp ~= fp then return {'conflict'} end
  return {'replay', state == 'C' and 'committed' or 'reserved'}
end
local p = 6 + nA
local items = {}
for k = 1, tonumber(ARGV[p]) do
  local item = { a = tonumber(ARGV[p + 1]), n = ARGV[p + 2], l = {} }
  local nL = tonumber(ARGV[p + 3])
  p = p + 3
  for m = 1, nL do
    item.l[m] = { r = ARGV[p + 1], n = ARGV[p + 2], w = ARGV[p + 3] }
    p = p + 3
  end
  items[k] = item
end
local totals, states = {}, {}
for i = 1, nA do
  totals[i] = got[2 * i] or '0'
  states[i] = parseWindows(got[2 * i + 1])
end
for _, item in ipairs(items) do
  local s = states[item.a]
  for _, lim in ipairs(item.l) do
    if lim.w ~= '' and s.wins[lim.w] == nil then
      s.wins[lim.w] = false
      s.order[#s.order + 1] = lim.w
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
-- the new sums, computed once: (used + amount) of a limit is the new sum when its item is the asset's only one
local perAsset, count, after = {}, {}, {}
for _, item in ipairs(items) do
  perAsset[item.a] = add(perAsset[item.a] or '0', item.n)
  count[item.a] = (count[item.a] or 0) + 1
  after[item.a] = {}
end
for _, item in ipairs(items) do
  local s = states[item.a]
  for _, lim in ipairs(item.l) do
    local used
    if lim.w == '' then used = totals[item.a] else used = s.wins[lim.w].sum end
    local sum = add(used, item.n)
    if count[item.a] == 1 then after[item.a][lim.w] = sum end
    if cmp(sum, lim.n) > 0 then
      local out = {}
      for i = 1, nA do
        out[#out + 1] = 'w:' .. ARGV[5 + i]
        out[#out + 1] = formatWindows(states[i])
      end
      redis.call('HSET', H, unpack(out))
      return {'exceeded', ARGV[5 + item.a], lim.r, lim.n, used}
    end
  end
end
local entry = { 'R', fp, now }
local out = {}
for i = 1, nA do
  local amount, s, z, known = perAsset[i] or '0', states[i], KEYS[i + 1], after[i] or {}
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
  entry[#entry + 1] = ARGV[5 + i]
  entry[#entry + 1] = amount
  out[#out + 1] = 't:' .. ARGV[5 + i]
  out[#out + 1] = known[''] or add(totals[i], amount)
  out[#out + 1] = 'w:' .. ARGV[5 + i]
  out[#out + 1] = formatWindows(s)
end
out[#out + 1] = 'e:' .. key
out[#out + 1] = cmsgpack.pack(unpack(entry))
redis.call('HSET', H, unpack(out))
return {'reserved'}
`);

/** Commit. KEYS: the scope hash. ARGV: key. Marks a reserved entry committed. -> 1 when changed. */
export const COMMIT = script(`
local existing = redis.call('HGET', KEYS[1], 'e:' .. ARGV[1])
if not existing then return 0 end
local e = { cmsgpack.unpack(existing) }
if e[1] ~= 'R' then return 0 end
e[1] = 'C'
redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], cmsgpack.pack(unpack(e)))
return 1
`);

/** KEYS: the scope hash. ARGV: key. -> the assets of a reserved entry (a list), or false. */
export const ENTRY_ASSETS = script(`
local existing = redis.call('HGET', KEYS[1], 'e:' .. ARGV[1])
if not existing then return false end
local e = { cmsgpack.unpack(existing) }
if e[1] ~= 'R' then return false end
local assets = {}
for i = 4, #e, 2 do assets[#assets + 1] = e[i] end
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
local e = { cmsgpack.unpack(existing) }
if e[1] ~= 'R' then return 0 end
local nA = (#e - 3) / 2
if nA ~= #KEYS - 1 or nA ~= #ARGV - 1 then return -1 end
for i = 1, nA do
  if e[2 + 2 * i] ~= ARGV[1 + i] then return -1 end
end
local at = tonumber(e[3])
local fields = {}
for i = 1, nA do
  fields[2 * i - 1] = 't:' .. ARGV[1 + i]
  fields[2 * i] = 'w:' .. ARGV[1 + i]
end
local got = redis.call('HMGET', H, unpack(fields))
local out = {}
for i = 1, nA do
  local amount = e[3 + 2 * i]
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
