-- signup.lua: POST sign-ups with unique emails: BENCH_RUN_ID, the thread and
-- a counter make each address.  BENCH_SIGNUP_STYLE=appwrite sends latchkey's
-- {"userId":"unique()","email","password","name"} (POST /v1/account);
-- betterauth sends {"email","password","name"} (POST .../sign-up/email).
package.path = (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua;" .. package.path
local report = require("report")
setup = report.setup
done = report.done

local run = os.getenv("BENCH_RUN_ID") or tostring(os.time())
local phase = os.getenv("BENCH_PHASE") or "m"
local style = os.getenv("BENCH_SIGNUP_STYLE") or "appwrite"
local password = os.getenv("BENCH_PASSWORD") or "bench password 1234"
local n = 0

function request()
	n = n + 1
	local email = string.format("su-%s-%s%d-%d@bench.test", run, phase, tid, n)
	local body
	if style == "appwrite" then
		body = string.format('{"userId":"unique()","email":"%s","password":"%s","name":"Bench"}',
			email, password)
	else
		body = string.format('{"email":"%s","password":"%s","name":"Bench"}', email, password)
	end
	return wrk.format("POST", nil, nil, body)
end
