#!/usr/bin/env bash
# bench/smtp-tls.sh - msgs/s for N x SIZE messages over P parallel sessions, plain and with STARTTLS,
# into Porter's mailboxes and, in the same run, into a Postfix instance's Maildirs on this machine.
# Usage: bench/smtp-tls.sh [N=1000] [SIZE=10240] [P=20]
set -euo pipefail
N=${1:-1000}; SIZE=${2:-10240}; P=${3:-20}
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
DIR=$(mktemp -d /tmp/porter-bench.XXXXXX)
PF=""
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true
            [ -n "$PF" ] && postfix -c "$PF/etc" stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SMTP=$(free_port); POP3=$(free_port)
mkdir -p "$DIR/data"; chmod 755 "$DIR"   # the postfix user must be able to enter it
./porter config set submission.port 0 --data "$DIR/data" >/dev/null
./porter config set smtps.port 0 --data "$DIR/data" >/dev/null
./porter domain add office.example --data "$DIR/data"
echo "bench-password" | ./porter user add alice@office.example --password-stdin --data "$DIR/data"
./porter serve --data "$DIR/data" --listen 127.0.0.1 --smtp-port "$SMTP" --pop3-port "$POP3" --admin-port 0 \
    --hostname bench.office.example >"$DIR/serve.out" 2>&1 &
PID=$!
until grep -q "Porter ready" "$DIR/serve.out" 2>/dev/null; do sleep 0.1; done
echo "== Porter ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
python3 bench/smtp-load.py 127.0.0.1 "$SMTP" --n 100 --size "$SIZE" --sessions "$P" >/dev/null   # warm-up
python3 bench/smtp-load.py 127.0.0.1 "$SMTP" --n "$N" --size "$SIZE" --sessions "$P"
python3 bench/smtp-load.py 127.0.0.1 "$SMTP" --n "$N" --size "$SIZE" --sessions "$P" --starttls
kill "$PID"; wait "$PID" || true
PF="$DIR/postfix"; PFPORT=$(free_port)
bench/postfix-peer.sh "$PF" "$PFPORT"
echo "== Postfix $(postconf -d -h mail_version) (Maildir delivery, same machine)"
python3 bench/smtp-load.py 127.0.0.1 "$PFPORT" --n 100 --size "$SIZE" --sessions "$P" >/dev/null
python3 bench/smtp-load.py 127.0.0.1 "$PFPORT" --n "$N" --size "$SIZE" --sessions "$P"
python3 bench/smtp-load.py 127.0.0.1 "$PFPORT" --n "$N" --size "$SIZE" --sessions "$P" --starttls
