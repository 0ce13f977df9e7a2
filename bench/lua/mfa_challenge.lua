-- mfa_challenge.lua: PUT /v1/account/mfa/challenge, every request completing
-- one TOTP challenge with the current code (bench/run's mfa_challenge
-- scenario; the design and its limits are in bench/README.md).
--
-- latchkey accepts a user's TOTP code once per 30-second step (replay
-- protection), so every request takes a user not yet used in the current
-- step.  bench/run seeded BENCH_MFA_USERS users, user i (0-based) with
--   id          BENCH_MFA_PREFIX..i
--   a session   secret BENCH_MFA_SALT (248 hex) .. string.format("%08x", i);
--               its cookie is built here as latchkey builds it (base64 of
--               {"id","secret"}, percent-encoded)
--   challenges  "bmc<r>-<i>" for r = 0 .. BENCH_MFA_STEPS-1, one per step of
--               the run (r = step - BENCH_MFA_STEP0), asked by that session
-- and one TOTP key shared by all: BENCH_MFA_CODES is "step:code,..." for the
-- steps of the run (oathtool's codes for that key).
--
-- Thread t of T takes users t, t+T, t+2T, ... in each step: upwards from 0 in
-- the measured run, downwards from the top in the warm-up (BENCH_PHASE=w);
-- BENCH_MFA_FLOOR="<step>:<n>" keeps the measured run below n, the lowest
-- user of the warm-up in the last step it used (the warm-up prints it as a
-- "BENCH_ENV BENCH_MFA_FLOOR=..." line, which bench/run hands to the
-- measured run).
--
-- wrk calls delay() before every request of a connection (this script
-- defines it) and then request() once the delay is over.  delay() takes a
-- (user, challenge, code) for the request; when there is none to take, in
-- the last half second of a step (a code sent then could reach the server
-- in the next step) or when this thread has no user left in the step, it
-- holds the connection back until the next step begins and counts it in
-- "held" (the report shows it).  So a set of users too small for the rate
-- shows as held connections and a lower rate, not as refused requests (a
-- hold longer than wrk's --timeout is counted by wrk as a timeout, though).
-- request() sends a tuple taken less than a quarter second ago (an older
-- one, left by a delay() whose request never came, is dropped unused), or
-- takes one itself, as after a hold; only when it cannot (no challenge set
-- or code for the step: the run outlasted what bench/run seeded) does it
-- send a request for no challenge, which latchkey refuses: an error.
package.path = (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua;" .. package.path
local report = require("report")
local ffi = require("ffi")
setup = report.setup

-- the wall clock to the nanosecond (os.time() has whole seconds)
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now()
	ffi.C.clock_gettime(0, ts)   -- CLOCK_REALTIME, the server's clock
	return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end
local STEP, GUARD = 30, 0.5   -- TOTP step; no code sent in its last GUARD s
local FRESH = 0.25            -- a taken tuple is sent within FRESH s or dropped

local users = tonumber(os.getenv("BENCH_MFA_USERS") or "0")
local prefix = os.getenv("BENCH_MFA_PREFIX") or "bench-mfa-"
local salt = os.getenv("BENCH_MFA_SALT") or ""
local step0 = tonumber(os.getenv("BENCH_MFA_STEP0") or "0")
local nsteps = tonumber(os.getenv("BENCH_MFA_STEPS") or "0")
local cookie_name = os.getenv("BENCH_MFA_COOKIE") or "a_session_demo"
local phase = os.getenv("BENCH_PHASE") or "m"
local floor_step, floor_n = (os.getenv("BENCH_MFA_FLOOR") or "-1:0"):match("^(-?%d+):(%d+)$")
floor_step, floor_n = tonumber(floor_step), tonumber(floor_n)

local codes = {}   -- step -> code
for s, c in (os.getenv("BENCH_MFA_CODES") or ""):gmatch("(%d+):(%d+)") do
	codes[tonumber(s)] = c
end

-- base64 (standard alphabet, '=' padding), then '+', '/', '=' as %XX: the
-- cookie value latchkey's Set-Cookie carries
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local b64 = {}
for v = 0, 63 do
	b64[v] = alphabet:sub(v + 1, v + 1)
end
local pct = { ["+"] = "%2B", ["/"] = "%2F", ["="] = "%3D" }

local function base64(s)
	local out, n, floor = {}, #s, math.floor
	for j = 1, n - 2, 3 do
		local a, b, c = s:byte(j, j + 2)
		local v = a * 65536 + b * 256 + c
		out[#out + 1] = b64[floor(v / 262144)] .. b64[floor(v / 4096) % 64] ..
			b64[floor(v / 64) % 64] .. b64[v % 64]
	end
	local rest = n % 3
	if rest > 0 then
		local a, b = s:byte(n - rest + 1, n)
		local v = a * 65536 + (b or 0) * 256
		out[#out + 1] = b64[floor(v / 262144)] .. b64[floor(v / 4096) % 64] ..
			(rest == 2 and b64[floor(v / 64) % 64] or "=") .. "="
	end
	return (table.concat(out):gsub("[+/=]", pct))
end

local function cookie(i)
	local json = string.format('{"id":"%s%d","secret":"%s%08x"}', prefix, i, salt, i)
	return cookie_name .. "=" .. base64(json)
end

local headers = {}   -- wrk's -H headers plus the cookie of each request
local k = 0          -- users this thread took in step cur_step
local queue, qh, qt = {}, 1, 0   -- taken tuples: {t = when, req = request}
-- globals, read by done() through thread:get: connections held back; the
-- step of the last user taken and the lowest user taken in it
held, cur_step, lowest = 0, -1, users

function init(args)
	for name, value in pairs(wrk.headers) do
		headers[name] = value
	end
end

-- Takes the next (user, challenge, code) of this thread into the queue;
-- false when there is none to take now.
local function take()
	local t = now()
	if t % STEP >= STEP - GUARD then
		return false
	end
	local step = math.floor(t / STEP)
	if step ~= cur_step then
		cur_step, k, lowest = step, 0, users
	end
	local r, code = step - step0, codes[step]
	if r < 0 or r >= nsteps or code == nil then
		return false
	end
	local i
	if phase == "w" then
		i = users - 1 - (tid + nthreads * k)
		if i < 0 then
			return false
		end
	else
		i = tid + nthreads * k
		if i >= (step == floor_step and floor_n or users) then
			return false
		end
	end
	k = k + 1
	if i < lowest then
		lowest = i
	end
	headers["Cookie"] = cookie(i)
	qt = qt + 1
	queue[qt] = { t = t, req = wrk.format("PUT", nil, headers,
		string.format('{"challengeId":"bmc%d-%d","otp":"%s"}', r, i, code)) }
	return true
end

function delay()
	if take() then
		return 0
	end
	held = held + 1
	-- milliseconds to 20 ms into the next step
	return math.ceil((STEP - now() % STEP + 0.02) * 1000)
end

function request()
	local t = now()
	while qh <= qt and t - queue[qh].t > FRESH do
		queue[qh] = nil
		qh = qh + 1
	end
	-- after a hold nothing was taken for this request: take one now
	if qh > qt and not take() then
		held = held + 1
		headers["Cookie"] = cookie(0)
		return wrk.format("PUT", nil, headers, '{"challengeId":"none","otp":"000000"}')
	end
	local e = queue[qh]
	queue[qh] = nil
	qh = qh + 1
	return e.req
end

-- After the warm-up: the users the measured run must leave alone, the
-- lowest taken in the last step any thread took one in.
function done(summary, latency, requests)
	report.done(summary, latency, requests)
	if phase ~= "w" then
		return
	end
	local step, low = -1, users
	for _, t in ipairs(report.threads) do
		local s, l = tonumber(t:get("cur_step")), tonumber(t:get("lowest"))
		if s > step then
			step, low = s, l
		elseif s == step then
			low = math.min(low, l)
		end
	end
	io.write(string.format("BENCH_ENV BENCH_MFA_FLOOR=%d:%d\n", step, low))
end
