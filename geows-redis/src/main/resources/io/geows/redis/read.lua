-- Reads a room's history after an offset, with the room's epoch, last offset and oldest entry, and
-- for each entry the offset the key index ties its key to (the reader keeps only entries where that
-- is the entry's own offset: those this node's append script wrote).
-- KEYS[1] stream  KEYS[2] offset counter  KEYS[3] epoch  KEYS[4] key index
-- ARGV[1] read after this offset  ARGV[2] max entries  ARGV[3] epoch to use if none  ARGV[4] ttl ms
-- Returns {epoch, top, oldest id or '', {{id, payload, key, indexed offset}, ...}}
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = ARGV[3]
  redis.call('SET', KEYS[3], epoch, 'PX', ARGV[4])
end
local top = tonumber(redis.call('GET', KEYS[2]) or '0')
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local oldest = ''
if #first > 0 then oldest = first[1][1] end
local out = {}
if tonumber(ARGV[2]) > 0 then
  local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1] .. '-0', '+', 'COUNT', ARGV[2])
  for _, e in ipairs(entries) do
    local p, k = '', ''
    for i = 1, #e[2], 2 do
      if e[2][i] == 'p' then p = e[2][i + 1] elseif e[2][i] == 'k' then k = e[2][i + 1] end
    end
    local owner = ''
    if k ~= '' then owner = redis.call('HGET', KEYS[4], k) or '' end
    out[#out + 1] = {e[1], p, k, owner}
  end
end
return {epoch, top, oldest, out}
