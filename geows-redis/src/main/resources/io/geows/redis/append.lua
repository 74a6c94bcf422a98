-- Appends a message to a room's history and publishes it, in one step, so that offsets and
-- delivery order agree.
-- KEYS[1] stream  KEYS[2] offset counter  KEYS[3] epoch  KEYS[4] dedupe key of this message
-- ARGV[1] payload  ARGV[2] channel  ARGV[3] max entries  ARGV[4] history ttl ms
-- ARGV[5] epoch to use if the room has none  ARGV[6] dedupe ttl ms  ARGV[7] PUBLISH or SPUBLISH
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = ARGV[5]
  redis.call('SET', KEYS[3], epoch, 'PX', ARGV[4])
end
local dup = redis.call('GET', KEYS[4])
if dup then
  return {tonumber(dup), epoch, 1}
end
local offset = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], offset .. '-0', 'p', ARGV[1])
redis.call('SET', KEYS[4], offset, 'PX', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
redis.call(ARGV[7], ARGV[2], 'G1 ' .. offset .. ' ' .. epoch .. '\n' .. ARGV[1])
return {offset, epoch, 0}
