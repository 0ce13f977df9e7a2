-- signin.lua: POST email/password sign-ins rotating over BENCH_USERS seeded
-- users (email BENCH_EMAIL_PREFIX..i.."@bench.test", i = 0 .. BENCH_USERS-1,
-- password BENCH_PASSWORD).  The body {"email","password"} suits both
-- latchkey's /v1/account/sessions/email and Better Auth's /sign-in/email.
package.path = (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua;" .. package.path
local report = require("report")
setup = report.setup
done = report.done

local users = tonumber(os.getenv("BENCH_USERS") or "1000")
local prefix = os.getenv("BENCH_EMAIL_PREFIX") or "bench-user-"
local password = os.getenv("BENCH_PASSWORD") or "bench password 1234"
local i

function init(args)
	-- threads start far apart in the user list and step by their count
	i = math.floor(tid * users / nthreads)
end

function request()
	i = (i + 1) % users
	local body = string.format('{"email":"%s%d@bench.test","password":"%s"}',
		prefix, i, password)
	return wrk.format("POST", nil, nil, body)
end
