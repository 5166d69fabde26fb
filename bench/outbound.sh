#!/usr/bin/env bash
# bench/outbound.sh - outbound msgs/s: N x SIZE messages queued while held, then released and
# delivered to Postfix's smtp-sink; the same with Postfix itself relaying to the same sink.
# Usage: bench/outbound.sh [N=1000] [SIZE=10240]
set -euo pipefail
N=${1:-1000}; SIZE=${2:-10240}
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$ROOT"
DIR=$(mktemp -d /tmp/porter-bench.XXXXXX); chmod 755 "$DIR"
PF=""; SINKPID=""; PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "$SINKPID" ] && kill "$SINKPID" 2>/dev/null
            [ -n "$PF" ] && postfix -c "$PF/etc" stop >/dev/null 2>&1; wait 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
SINK=$(free_port); SMTP=$(free_port); POP3=$(free_port)
smtp-sink -u root -c "127.0.0.1:$SINK" 256 > "$DIR/sink.out" 2>&1 &
SINKPID=$!
D="$DIR/data"; mkdir -p "$D"
for kv in "submission.port 0" "smtps.port 0" "pop3s.port 0" "delivery.route smarthost" "delivery.smarthost 127.0.0.1:$SINK" \
          "delivery.tls none" "queue.hold true"; do ./porter config set $kv --data "$D" >/dev/null; done
./porter domain add office.example --data "$D"
./porter serve --data "$D" --listen 127.0.0.1 --smtp-port "$SMTP" --pop3-port "$POP3" --admin-port 0 \
    --hostname bench.office.example >"$DIR/serve.out" 2>&1 &
PID=$!
until grep -q "Porter ready" "$DIR/serve.out" 2>/dev/null; do sleep 0.1; done
smtp-source -s 10 -m "$N" -l "$SIZE" -f alice@office.example -t friend@elsewhere.example "127.0.0.1:$SMTP"
echo "== Porter: $N x $SIZE B queued (held); releasing (load $(cut -d' ' -f1 /proc/loadavg))"
T0=$(now)
./porter config set queue.hold false --data "$D"
./porter queue flush --data "$D" >/dev/null
until ./porter queue list --data "$D" | grep -q "Mail queue is empty"; do sleep 0.2; done
T1=$(now)
printf 'Porter -> smtp-sink: %.2f s = %.0f msgs/s (one session to the smarthost)\n' "$(echo "$T1 - $T0" | bc)" "$(echo "$N / ($T1 - $T0)" | bc -l)"
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""

PF="$DIR/postfix"; PFPORT=$(free_port)
bench/postfix-peer.sh "$PF" "$PFPORT"
postconf -c "$PF/etc" -e "relayhost=[127.0.0.1]:$SINK" "defer_transports=smtp" "smtp_tls_security_level=none" \
    "smtpd_reject_unlisted_recipient=no" "virtual_mailbox_domains=" "smtpd_relay_restrictions=permit_mynetworks,reject"
postfix -c "$PF/etc" reload >/dev/null 2>&1; sleep 1
smtp-source -s 10 -m "$N" -l "$SIZE" -f alice@office.example -t friend@elsewhere.example "127.0.0.1:$PFPORT"
until [ "$(find "$PF/spool/incoming" -type f | wc -l)" = 0 ]; do sleep 0.1; done
echo "== Postfix $(postconf -d -h mail_version): $N queued (deferred); flushing"
T0=$(now)
postconf -c "$PF/etc" -e "defer_transports="
postfix -c "$PF/etc" reload >/dev/null 2>&1
postqueue -c "$PF/etc" -f
until postqueue -c "$PF/etc" -p | grep -q "Mail queue is empty"; do sleep 0.2; done
T1=$(now)
printf 'Postfix -> smtp-sink: %.2f s = %.0f msgs/s (its default: up to 20 sessions per destination)\n' "$(echo "$T1 - $T0" | bc)" "$(echo "$N / ($T1 - $T0)" | bc -l)"
