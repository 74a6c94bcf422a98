-- Reads a room's history after an offset, with the room's epoch, last offset and oldest entry, and
-- for each entry the offset the key index ties its key to, if the entry belongs to the current epoch
-- (the reader keeps only entries where that is the entry's own offset: those the append script wrote
-- in this epoch).
-- KEYS[1] stream  KEYS[2] offset counter  KEYS[3] epoch  KEYS[4] key index
-- ARGV[1] read after this offset  ARGV[2] max entries  ARGV[3] epoch to use if none  ARGV[4] ttl ms
-- ARGV[5] the room's retention age in ms (0: none): older entries are removed first, as append does
-- (Runs after aged.lua, which defines remove_older_than.)
-- Returns {epoch, top, oldest id or '', {{id, payload, key, indexed offset}, ...}}
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = ARGV[3]
  redis.call('SET', KEYS[3], epoch, 'PX', ARGV[4])
end
local top = tonumber(redis.call('GET', KEYS[2]) or '0')
if not top or top < 0 or top >= 1e14 or top ~= math.floor(top) then
  top = 0 -- not a counter this script's sibling wrote: nothing can be vouched for
end
local age = tonumber(ARGV[5] or '0')
if age > 0 then
  local clock = redis.call('TIME')
  remove_older_than(KEYS[1], KEYS[4], clock[1] * 1000 + math.floor(clock[2] / 1000) - age)
end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local oldest = ''
if #first > 0 then oldest = first[1][1] end
local out = {}
if tonumber(ARGV[2]) > 0 then
  local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1] .. '-0', '+', 'COUNT', ARGV[2])
  for _, e in ipairs(entries) do
    local p, k, ep = '', '', ''
    for i = 1, #e[2], 2 do
      local f = e[2][i]
      if f == 'p' then p = e[2][i + 1] elseif f == 'k' then k = e[2][i + 1] elseif f == 'e' then ep = e[2][i + 1] end
    end
    local owner = ''
    if k ~= '' and ep == epoch then owner = redis.call('HGET', KEYS[4], k) or '' end
    out[#out + 1] = {e[1], p, k, owner}
  end
end
return {epoch, top, oldest, out}
