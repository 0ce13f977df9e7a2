-- get.lua: a fixed GET (headers come from wrk -H).  Used for GET /v1/account,
-- GET /v1/account/sessions, the floors and the peer's get-session.
package.path = (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua;" .. package.path
local report = require("report")
setup = report.setup
done = report.done
