-- wrk script: POST one valid inquiry per request, each with its own
-- Idempotency-Key (thread id + counter), so every request stores a new row.
local counter = 0
local next_thread = 0
-- Set per thread by setup(); global so that thread:set reaches it.
thread_id = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_id", next_thread)
end

local body = '{"platform_no":"YZ-2023-00001","name":"压测访客","phone":"13800000000",'
  .. '"intent":"consulting","message":"load test inquiry"}'

request = function()
  counter = counter + 1
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = string.format("load-%d-%d-%d", thread_id, counter, os.time())
  return wrk.format("POST", "/api/v1/inquiries", headers, body)
end
