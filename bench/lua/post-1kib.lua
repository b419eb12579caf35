-- POST a 1 KiB body (for the echo app): a form post or a JSON API call, where a server's
-- per-request cost of taking a body shows, not the copying of it. Reports through the shared
-- harness's report.lua (peers.sh exports its path).
dofile(os.getenv("WSGIHOST_BENCH_REPORT_LUA"))
wrk.method = "POST"
wrk.body = string.rep("a", 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
