-- Appends a message to a room's history and publishes it, in one step, so that offsets and
-- delivery order agree, and the message is stored before anyone receives it.
-- KEYS[1] stream (fields p payload, k message key, e epoch)  KEYS[2] offset counter  KEYS[3] epoch
-- KEYS[4] key index (message key -> offset)
-- ARGV[1] payload  ARGV[2] channel  ARGV[3] max entries  ARGV[4] history ttl ms
-- ARGV[5] epoch to use if the room has none  ARGV[6] message key  ARGV[7] PUBLISH or SPUBLISH, or
-- empty: store only (the adapter publishes once replicas have it)
-- ARGV[8] messages the room's retention rule keeps (0: no rule)  ARGV[9] its max age in ms (0: none)
-- (Runs after aged.lua, which defines remove_older_than.)
-- Returns {offset, epoch, duplicate 0/1, foreign entries removed}, or
-- {0, epoch, 0, removed, reason} when the stream cannot be appended to.
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = ARGV[5]
  redis.call('SET', KEYS[3], epoch, 'PX', ARGV[4])
end
local dup = redis.call('HGET', KEYS[4], ARGV[6])
if dup then
  return {tonumber(dup), epoch, 1, 0}
end
-- The counter must be a whole number this script could have written; anything else (someone else's
-- SET) starts it from 0, and the repair below moves it up to the newest entry of ours.
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if not last or last < 0 or last >= 1e14 or last ~= math.floor(last) then
  last = 0
end
local removed = 0
local clock = redis.call('TIME')
local now = tostring(clock[1] * 1000 + math.floor(clock[2] / 1000))
local added = redis.pcall('XADD', KEYS[1], (last + 1) .. '-0', 'p', ARGV[1], 'k', ARGV[6], 'e', epoch, 't', now)
if type(added) == 'table' and added.err then
  -- Only this script writes here, always at the counter's next id: an entry past the counter was
  -- added by someone else. Remove those (a bounded number per call), keep any of ours (a counter
  -- that was tampered with is moved up to it), and set the stream's last id back.
  local kind = redis.call('TYPE', KEYS[1])
  if kind.ok ~= 'stream' then
    return {0, epoch, 0, 0, 'the key is a ' .. tostring(kind.ok) .. ', not a stream'}
  end
  local after = redis.call('XRANGE', KEYS[1], '(' .. last .. '-0', '+', 'COUNT', 1000)
  for _, e in ipairs(after) do
    local ms, sq = string.match(e[1], '^(%d+)-(%d+)$')
    local k = nil
    for i = 1, #e[2], 2 do
      if e[2][i] == 'k' then k = e[2][i + 1] end
    end
    if sq == '0' and k and string.len(ms) < 15 and redis.call('HGET', KEYS[4], k) == ms then
      if tonumber(ms) > last then last = tonumber(ms) end
    else
      redis.call('XDEL', KEYS[1], e[1])
      removed = removed + 1
    end
  end
  local reset = redis.pcall('XSETID', KEYS[1], last .. '-0')
  if type(reset) == 'table' and reset.err then
    return {0, epoch, 0, removed, reset.err}
  end
  added = redis.pcall('XADD', KEYS[1], (last + 1) .. '-0', 'p', ARGV[1], 'k', ARGV[6], 'e', epoch, 't', now)
  if type(added) == 'table' and added.err then
    return {0, epoch, 0, removed, added.err}
  end
end
local offset = last + 1
redis.call('SET', KEYS[2], offset, 'PX', ARGV[4])
redis.call('HSET', KEYS[4], ARGV[6], offset)
-- Trim the oldest entries and their keys, in batches of a sixteenth of the limit; exactly to what
-- a retention rule keeps, and everything older than its age.
local max = tonumber(ARGV[3])
local slack = math.floor(max / 16)
local keep = tonumber(ARGV[8])
if keep > 0 and keep < max then
  max = keep
  slack = 0
end
local len = redis.call('XLEN', KEYS[1])
if len > max + slack then
  local old = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', len - max)
  for _, e in ipairs(old) do
    local ms = string.match(e[1], '^(%d+)-')
    for i = 1, #e[2], 2 do
      if e[2][i] == 'k' and redis.call('HGET', KEYS[4], e[2][i + 1]) == ms then
        redis.call('HDEL', KEYS[4], e[2][i + 1])
      end
    end
    redis.call('XDEL', KEYS[1], e[1])
  end
end
local age = tonumber(ARGV[9])
if age > 0 then
  remove_older_than(KEYS[1], KEYS[4], tonumber(now) - age)
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
redis.call('PEXPIRE', KEYS[4], ARGV[4])
if ARGV[7] ~= '' then
  redis.call(ARGV[7], ARGV[2], 'G1 ' .. offset .. ' ' .. epoch .. '\n' .. ARGV[1])
end
return {offset, epoch, 0, removed}
