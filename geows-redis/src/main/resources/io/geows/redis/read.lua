-- Reads a room's history after an offset, with the room's epoch, last offset and oldest entry.
-- KEYS[1] stream  KEYS[2] offset counter  KEYS[3] epoch
-- ARGV[1] read after this offset  ARGV[2] max entries  ARGV[3] epoch to use if none  ARGV[4] ttl ms
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = ARGV[3]
  redis.call('SET', KEYS[3], epoch, 'PX', ARGV[4])
end
local top = tonumber(redis.call('GET', KEYS[2]) or '0')
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local entries = {}
if tonumber(ARGV[2]) > 0 then
  entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1] .. '-0', '+', 'COUNT', ARGV[2])
end
return {epoch, top, first, entries}
