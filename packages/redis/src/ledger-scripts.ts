import { script } from "./redis-client.js";

/** Decimal big-number helpers in Lua (amounts are bigints: wei overflow Lua's doubles). Base 1e7 limbs. */
const BIG = `
local BASE = 10000000
local function big(s)
  local t = {}
  local i = #s
  while i > 0 do
    local j = math.max(1, i - 6)
    t[#t + 1] = tonumber(string.sub(s, j, i))
    i = j - 1
  end
  while #t > 1 and t[#t] == 0 do t[#t] = nil end
  if #t == 0 then t[1] = 0 end
  return t
end
local function add(a, b)
  local r, c = {}, 0
  for i = 1, math.max(#a, #b) do
    local s = (a[i] or 0) + (b[i] or 0) + c
    if s >= BASE then r[i] = s - BASE; c = 1 else r[i] = s; c = 0 end
  end
  if c > 0 then r[#r + 1] = c end
  return r
end
local function sub(a, b)
  local r, c = {}, 0
  for i = 1, #a do
    local s = a[i] - (b[i] or 0) - c
    if s < 0 then r[i] = s + BASE; c = 1 else r[i] = s; c = 0 end
  end
  while #r > 1 and r[#r] == 0 do r[#r] = nil end
  return r
end
local function cmp(a, b)
  if #a ~= #b then return (#a < #b) and -1 or 1 end
  for i = #a, 1, -1 do
    if a[i] ~= b[i] then return (a[i] < b[i]) and -1 or 1 end
  end
  return 0
end
local function str(a)
  local parts = { tostring(a[#a]) }
  for i = #a - 1, 1, -1 do parts[#parts + 1] = string.format('%07d', a[i]) end
  return table.concat(parts)
end
local function clock(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * Reserve. KEYS: entries, total, then per asset (in the order of the assets JSON) its window zset, amounts hash
 * and window-sums hash. ARGV: now ('' = Redis TIME), retention ms, key, fingerprint, items JSON
 * `[{a: assetIndex, n: amount, l: [{r: rule, n: amount, w: windowMs|absent}]}]`, assets JSON.
 * -> {'reserved'} | {'replay', state} | {'conflict'} | {'exceeded', asset, rule, limit, used}
 *
 * Rolling windows keep a running sum per (asset, windowMs) in the window-sums hash (`"<sum>|<lower bound>"`):
 * each reserve subtracts only the entries that left the window since the last one, so its cost does not grow
 * with the number of reservations.
 */
export const RESERVE = script(`${BIG}
local now = clock(ARGV[1])
local retention = tonumber(ARGV[2])
local key, fp = ARGV[3], ARGV[4]
local existing = redis.call('HGET', KEYS[1], key)
if existing then
  local e = cjson.decode(existing)
  if e.f == fp then return {'replay', e.s} end
  return {'conflict'}
end
local items = cjson.decode(ARGV[5])
local assets = cjson.decode(ARGV[6])
local function sumOf(amt, members)
  local sum = {0}
  for s = 1, #members, 500 do
    local chunk = {}
    for m = s, math.min(s + 499, #members) do chunk[#chunk + 1] = members[m] end
    for _, n in ipairs(redis.call('HMGET', amt, unpack(chunk))) do if n then sum = add(sum, big(n)) end end
  end
  return sum
end
-- Bring every tracked window of the request's assets up to now (and add the windows this request uses).
local windows = {}
for i = 1, #assets do windows[i] = {} end
for _, item in ipairs(items) do
  for _, lim in ipairs(item.l) do
    if lim.w then windows[item.a][tostring(lim.w)] = true end
  end
end
local sums = {}
for i = 1, #assets do
  local win, amt, wsum = KEYS[3 * i], KEYS[3 * i + 1], KEYS[3 * i + 2]
  local tracked = redis.call('HGETALL', wsum)
  local current = {}
  for t = 1, #tracked, 2 do
    windows[i][tracked[t]] = true
    current[tracked[t]] = tracked[t + 1]
  end
  sums[i] = {}
  for w, _ in pairs(windows[i]) do
    local lower = now - tonumber(w)
    local cur = current[w]
    local sum, since
    if cur then
      local sep = string.find(cur, '|', 1, true)
      sum = big(string.sub(cur, 1, sep - 1))
      since = tonumber(string.sub(cur, sep + 1))
    end
    if not cur or lower < since then
      sum = sumOf(amt, redis.call('ZRANGEBYSCORE', win, '(' .. lower, '+inf'))
    elseif lower > since then
      sum = sub(sum, sumOf(amt, redis.call('ZRANGEBYSCORE', win, '(' .. since, lower)))
    end
    sums[i][w] = {sum = sum, lower = lower}
  end
end
local totals = {}
local function totalOf(asset)
  if not totals[asset] then totals[asset] = big(redis.call('HGET', KEYS[2], asset) or '0') end
  return totals[asset]
end
for _, item in ipairs(items) do
  local asset = assets[item.a]
  local amount = big(item.n)
  for _, lim in ipairs(item.l) do
    local used
    if lim.w then used = sums[item.a][tostring(lim.w)].sum
    else used = totalOf(asset) end
    if cmp(add(used, amount), big(lim.n)) > 0 then
      -- store the advanced window sums anyway (they are correct for now)
      for i = 1, #assets do
        for w, v in pairs(sums[i]) do redis.call('HSET', KEYS[3 * i + 2], w, str(v.sum) .. '|' .. v.lower) end
      end
      return {'exceeded', asset, lim.r, lim.n, str(used)}
    end
  end
end
local stored = {}
local perAsset = {}
for _, item in ipairs(items) do
  local amount = big(item.n)
  perAsset[item.a] = add(perAsset[item.a] or {0}, amount)
  totals[assets[item.a]] = add(totalOf(assets[item.a]), amount)
  for w, v in pairs(sums[item.a]) do v.sum = add(v.sum, amount) end
  stored[#stored + 1] = {a = item.a, n = item.n}
end
for i, amount in pairs(perAsset) do
  redis.call('ZADD', KEYS[3 * i], now, key)
  redis.call('HSET', KEYS[3 * i + 1], key, str(amount))
  redis.call('HSET', KEYS[2], assets[i], str(totals[assets[i]]))
end
for i = 1, #assets do
  local win, amt, wsum = KEYS[3 * i], KEYS[3 * i + 1], KEYS[3 * i + 2]
  for w, v in pairs(sums[i]) do redis.call('HSET', wsum, w, str(v.sum) .. '|' .. v.lower) end
  -- forget entries older than the retention (outside every window): their amounts stay in the lifetime total
  local old = redis.call('ZRANGEBYSCORE', win, '-inf', now - retention, 'LIMIT', 0, 100)
  if #old > 0 then
    redis.call('ZREM', win, unpack(old))
    redis.call('HDEL', amt, unpack(old))
  end
end
redis.call('HSET', KEYS[1], key, cjson.encode({f = fp, s = 'reserved', at = tostring(now), items = stored, assets = assets}))
return {'reserved'}
`);

/** Commit. KEYS: entries. ARGV: key. Marks a reserved entry committed. -> 1 when changed. */
export const COMMIT = script(`
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then return 0 end
local e = cjson.decode(existing)
if e.s ~= 'reserved' then return 0 end
e.s = 'committed'
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(e))
return 1
`);

/**
 * Release. KEYS: entries, total, then per asset of the entry (ARGV[2] JSON list, in the entry's order) its
 * window zset, amounts hash and window-sums hash. ARGV: key, assets JSON. Removes a reserved entry. -> 1 when released,
 * -1 when the caller passed other assets than the entry's (it reads the entry first and calls again).
 */
export const RELEASE_SPEND = script(`${BIG}
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then return 0 end
local e = cjson.decode(existing)
if e.s ~= 'reserved' then return 0 end
if cjson.encode(e.assets) ~= ARGV[2] then return -1 end
local at = tonumber(e.at)
for _, item in ipairs(e.items) do
  local asset = e.assets[item.a]
  local win, amt, wsum = KEYS[3 * item.a], KEYS[3 * item.a + 1], KEYS[3 * item.a + 2]
  if redis.call('ZREM', win, ARGV[1]) == 1 then
    local tracked = redis.call('HGETALL', wsum)
    for t = 1, #tracked, 2 do
      local cur = tracked[t + 1]
      local sep = string.find(cur, '|', 1, true)
      local lower = tonumber(string.sub(cur, sep + 1))
      if at > lower then
        local sum = sub(big(string.sub(cur, 1, sep - 1)), big(item.n))
        redis.call('HSET', wsum, tracked[t], str(sum) .. '|' .. lower)
      end
    end
  end
  redis.call('HDEL', amt, ARGV[1])
  local total = sub(big(redis.call('HGET', KEYS[2], asset) or '0'), big(item.n))
  redis.call('HSET', KEYS[2], asset, str(total))
end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
`);

/** KEYS: entries. ARGV: key. -> the entry's assets JSON, or false. */
export const ENTRY_ASSETS = script(`
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then return false end
return cjson.encode(cjson.decode(existing).assets)
`);
