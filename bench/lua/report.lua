-- report.lua: shared by every bench/run scenario script.  wrk's done() hook
-- prints one machine-readable line,
--   BENCH {"requests":...,"seconds":...,"rps":...,"p50_ms":...,"p99_ms":...,
--          "non2xx":...,"socket_errors":...,"bytes":...,"held":...}
-- which bench/run collects.  "non2xx" is wrk's count of answers with a status
-- >= 400 (scenario scripts that need it count every non-2xx themselves and
-- add it through the thread variable "bad"); socket_errors adds connect,
-- read, write errors and timeouts; "held" sums the thread variable "held":
-- times a script held a connection back for want of something to send
-- (mfa_challenge.lua; 0 for the others).

local report = {}

report.threads = {}

-- setup(thread): number the threads (scripts use `tid` to rotate users and to
-- make unique emails) and keep them for done().
function report.setup(thread)
	local n = #report.threads
	thread:set("tid", n)
	thread:set("nthreads", tonumber(os.getenv("BENCH_THREADS") or "2"))
	report.threads[n + 1] = thread
end

function report.done(summary, latency, requests)
	local e = summary.errors
	local bad, held = 0, 0
	for _, t in ipairs(report.threads) do
		bad = bad + (tonumber(t:get("bad")) or 0)
		held = held + (tonumber(t:get("held")) or 0)
	end
	local secs = summary.duration / 1e6
	io.write(string.format(
		'BENCH {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,' ..
		'"p99_ms":%.3f,"max_ms":%.3f,"non2xx":%d,"socket_errors":%d,"bytes":%d,"held":%d}\n',
		summary.requests, secs, summary.requests / secs,
		latency:percentile(50) / 1000, latency:percentile(90) / 1000,
		latency:percentile(99) / 1000, latency.max / 1000,
		e.status + bad, e.connect + e.read + e.write + e.timeout, summary.bytes, held))
end

return report
