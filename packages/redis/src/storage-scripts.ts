import { script } from "./redis-client.js";

/** KEYS: lease, fence counter. ARGV: owner, ttl ms. -> {1, fence} when acquired, {0, pttl} otherwise. */
export const ACQUIRE = script(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('INCR', KEYS[2])}
end
return {0, redis.call('PTTL', KEYS[1])}
`);

/** KEYS: lease. ARGV: owner. Compare-and-delete. -> 1 when released. */
export const RELEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** KEYS: lease. ARGV: owner, ttl ms. Extends the lease while still held. -> 1 when extended. */
export const EXTEND = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** KEYS: store. -> {value or false, etag or false}. */
export const READ = script(`
local r = redis.call('HMGET', KEYS[1], 'v', 'etag')
return {r[1], r[2]}
`);

/**
 * KEYS: store, fence counter. ARGV: mode, value ('' with del=1), fence, expected etag, del, new etag.
 * mode 'fenced': refused ({0, stored fence}) when the stored fence is newer than ARGV[3].
 * mode 'plain': takes a new fence (INCR) and writes: newer than every lease handed out before.
 * mode 'cas' (write-back after an outage): writes (with a new fence) only if the key is gone (Redis lost it)
 * or still carries etag ARGV[4], else {0, 0}.
 * -> {1, new ver} when written.
 */
export const WRITE = script(`
local mode = ARGV[1]
local stored = redis.call('HMGET', KEYS[1], 'fence', 'ver', 'etag')
local storedFence = tonumber(stored[1] or '0')
local ver = tonumber(stored[2] or '0')
local fence
if mode == 'fenced' then
  fence = tonumber(ARGV[3])
  if storedFence > fence then return {0, storedFence} end
elseif mode == 'cas' then
  if stored[3] and stored[3] ~= ARGV[4] then return {0, 0} end
  fence = redis.call('INCR', KEYS[2])
else
  fence = redis.call('INCR', KEYS[2])
end
if ARGV[5] == '1' then
  redis.call('HDEL', KEYS[1], 'v')
  redis.call('HSET', KEYS[1], 'fence', fence, 'ver', ver + 1, 'etag', ARGV[6])
else
  redis.call('HSET', KEYS[1], 'v', ARGV[2], 'fence', fence, 'ver', ver + 1, 'etag', ARGV[6])
end
return {1, ver + 1}
`);
