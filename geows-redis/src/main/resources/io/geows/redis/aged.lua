-- Shared by append.lua and read.lua (prepended when they are loaded): removes a room's entries
-- stored before cutoff (ms, the 't' field the append script writes; an entry without one counts as
-- old), oldest first, with their key index entries when the index still points at them.
local function remove_older_than(stream, index, cutoff)
  while true do
    local old = redis.call('XRANGE', stream, '-', '+', 'COUNT', 100)
    if #old == 0 then return end
    for _, e in ipairs(old) do
      local t, k = nil, nil
      for i = 1, #e[2], 2 do
        if e[2][i] == 't' then t = tonumber(e[2][i + 1]) elseif e[2][i] == 'k' then k = e[2][i + 1] end
      end
      if t and t >= cutoff then
        return
      end
      if k and redis.call('HGET', index, k) == string.match(e[1], '^(%d+)-') then
        redis.call('HDEL', index, k)
      end
      redis.call('XDEL', stream, e[1])
    end
  end
end
