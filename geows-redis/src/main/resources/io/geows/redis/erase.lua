-- Removes a sender's messages from one room's history (the right to be forgotten): every entry whose
-- message key starts with the sender's prefix. The key index keeps their keys, so a repeat of one is
-- still answered as a duplicate instead of being stored again; the other entries keep their ids.
-- KEYS[1] stream  ARGV[1] key prefix ("<user>\n")
-- Returns the number of entries removed.
local prefix = ARGV[1]
local removed = 0
local cursor = '-'
while true do
  local batch = redis.call('XRANGE', KEYS[1], cursor, '+', 'COUNT', 500)
  if #batch == 0 then break end
  for _, e in ipairs(batch) do
    for i = 1, #e[2], 2 do
      if e[2][i] == 'k' then
        if string.sub(e[2][i + 1], 1, #prefix) == prefix then
          redis.call('XDEL', KEYS[1], e[1])
          removed = removed + 1
        end
        break
      end
    end
  end
  if #batch < 500 then break end
  cursor = '(' .. batch[#batch][1]
end
return removed
