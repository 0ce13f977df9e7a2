-- prefs.lua: PATCH /v1/account/prefs with a small, changing prefs object
-- (headers, including the session cookie, come from wrk -H).
package.path = (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua;" .. package.path
local report = require("report")
setup = report.setup
done = report.done

local n = 0

function request()
	n = n + 1
	local body = string.format('{"prefs":{"theme":"dark","lang":"en","n":%d}}', n)
	return wrk.format("PATCH", nil, nil, body)
end
