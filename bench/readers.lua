-- wrk script for the letter page figure: every connection is a reader who loads the page ten
-- times and leaves (the tenth request asks the server to close), and another reader takes
-- their place. Kept-alive connections held for the whole run can all end up on one gunicorn
-- worker (a threaded worker keeps what it accepted); readers who come and go spread over both.
local loads = 0
request = function()
  loads = loads + 1
  if loads % 10 == 0 then
    return wrk.format(nil, nil, {["Connection"] = "close"})
  end
  return wrk.format()
end
