-- wrk script: GET /api/v1/events/{id} for uniformly random ids in [1, MAX].
--   wrk ... -H "Authorization: Bearer TOKEN" -s bench/wrk_event_get.lua URL -- MAX
-- URL is the server's base (http://127.0.0.1:PORT); every id must exist and be
-- inside the caller's scope (scripts/bench.sh uses the district centre).
local max = 1

function setup(thread)
  -- each thread its own sequence
  thread:set("thread_seed", math.random(1, 2 ^ 30))
end

function init(args)
  max = tonumber(args[1]) or 1
  math.randomseed((thread_seed or 1) + os.time())
end

function request()
  return wrk.format("GET", "/api/v1/events/" .. math.random(1, max))
end
