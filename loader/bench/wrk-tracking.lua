-- wrk script for the live throughput comparison: the raw-HTTP limit. One tracking GET per
-- request with a fresh 16-hex visitor id (cid), like the k6 script.
local hex = "0123456789abcdef"
math.randomseed(os.time())

request = function()
  local t = {}
  for i = 1, 16 do
    local k = math.random(16)
    t[i] = hex:sub(k, k)
  end
  return wrk.format("GET", "/matomo.php?idsite=1&rec=1&apiv=1&send_image=0&cid=" .. table.concat(t) ..
    "&url=https%3A%2F%2Fexample.test%2Fproducts%2Fa&action_name=Products%20A&ua=Mozilla%2F5.0&res=1920x1080&lang=en-us&pv_id=abc123")
end
