# Sourced by the test and benchmark scripts: `csms serve` on a free loopback port.
# start_serve CSMS WORKDIR [SERVE_ARGS...] sets serve_pid and url; the server's
# stdout (with the ready profile it prints) is WORKDIR/serve.out.
start_serve() {
  local csms=$1 work=$2
  shift 2
  "$csms" serve --listen 127.0.0.1:0 "$@" >"$work/serve.out" 2>"$work/serve.err" &
  serve_pid=$!
  for _ in $(seq 100); do
    grep -q '^listening on ' "$work/serve.out" && break
    sleep 0.1
  done
  url=$(sed -n 's/^listening on //p' "$work/serve.out")
  [ -n "$url" ] || { echo "csms serve did not start: $(cat "$work/serve.err")" >&2; return 1; }
}
