-- Every request on a new connection: "Connection: close", as a proxy sends that keeps no
-- connections to its upstream (nginx's proxy_pass unless told `proxy_http_version 1.1` and an
-- upstream `keepalive`) or an HTTP/1.0 client. A server that honours it closes after the
-- response and wrk opens the next connection, so accept, setup and close are in every request.
-- Reports through the shared harness's report.lua (peers.sh exports its path).
dofile(os.getenv("WSGIHOST_BENCH_REPORT_LUA"))
wrk.headers["Connection"] = "close"
