#!/usr/bin/env bash
# bench/core-path.sh - figures for the core mail path (a benchmark, never part of the test suite):
#   1. time from `./porter serve` to the SMTP banner (launcher already built),
#   2. idle RSS of the server,
#   3. msgs/s for N x SIZE messages over P parallel SMTP sessions into one mailbox (smtp-source).
# Usage: bench/core-path.sh [N=1000] [SIZE=10240] [P=10]
set -euo pipefail
N=${1:-1000}; SIZE=${2:-10240}; P=${3:-10}
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
command -v smtp-source >/dev/null || { echo "bench: needs smtp-source (Debian package postfix)" >&2; exit 1; }
DIR=$(mktemp -d /tmp/porter-bench.XXXXXX)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DIR"' EXIT
./porter version >/dev/null                                # build now, so the timing below is start-up only
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SMTP=$(free_port); POP3=$(free_port)
./porter config set submission.port 0 --data "$DIR/data" >/dev/null 2>&1 || { mkdir -p "$DIR/data"; ./porter config set submission.port 0 --data "$DIR/data" >/dev/null; }
./porter config set smtps.port 0 --data "$DIR/data" >/dev/null
./porter domain add office.example --data "$DIR/data"
echo "bench-password" | ./porter user add alice@office.example --password-stdin --data "$DIR/data"

T0=$(date +%s.%N)
./porter serve --data "$DIR/data" --listen 127.0.0.1 --smtp-port "$SMTP" --pop3-port "$POP3" --admin-port 0 \
    --hostname bench.office.example >"$DIR/serve.out" 2>&1 &
PID=$!
until python3 - "$SMTP" <<'PY' 2>/dev/null
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
assert s.recv(100).startswith(b"220")
PY
do sleep 0.05; done
T1=$(date +%s.%N)
printf 'start-up: ./porter serve -> SMTP banner: %.2f s\n' "$(echo "$T1 - $T0" | bc)"

sleep 5
JPID=$(pgrep -P $PID java || echo $PID)
printf 'idle RSS after start-up: %d MiB (pid %s)\n' $(( $(ps -o rss= -p "$JPID") / 1024 )) "$JPID"

S0=$(date +%s.%N)
smtp-source -s "$P" -m "$N" -l "$SIZE" -f bench@elsewhere.example -t alice@office.example "127.0.0.1:$SMTP"
S1=$(date +%s.%N)
printf 'throughput: %d x %d B over %d sessions in %.2f s = %.0f msgs/s (smtp-source -s %d -m %d -l %d)\n' \
    "$N" "$SIZE" "$P" "$(echo "$S1 - $S0" | bc)" "$(echo "$N / ($S1 - $S0)" | bc -l)" "$P" "$N" "$SIZE"
printf 'RSS after the run: %d MiB\n' $(( $(ps -o rss= -p "$JPID") / 1024 ))
./porter user list --data "$DIR/data"
