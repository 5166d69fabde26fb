#!/bin/sh
# POP3 figures for the issue note: RETR of 1,000 x 10 KiB with poplib (msgs/s, MB/s) and login +
# STAT latency for a 10,000-message mailbox in a store of 100,000, for Porter and, when it can be
# installed, Dovecot on the same machine. Prints figures; never run by the test suite.
#
# Usage: bench/pop3.sh [--no-dovecot]    (from the repository root; JAVA_HOME = a JDK >= 21)
# The Porter store is filled once (about a minute) and kept in bench/.data/porter.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=$ROOT/bench/.data
mkdir -p "$WORK"
PORT=${PORT:-11110}
DPORT=${DPORT:-11120}

echo "== building (offline)"
mvn -o -q -B -pl pop3 -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null
# both modules write cp.txt; pop3's (written last) is the one wanted
CP="$ROOT/pop3/target/test-classes:$ROOT/pop3/target/classes:$ROOT/mta-core/target/classes:$(cat "$WORK/cp.txt")"

echo "== Porter"
mkfifo "$WORK/in.$$"
"$JAVA_HOME/bin/java" -Xmx512m -cp "$CP" -Dlogback.configurationFile=/dev/null org.porter.pop3.bench.BenchServer \
    "$WORK/porter" "$PORT" <"$WORK/in.$$" >"$WORK/porter.out" 2>&1 &
JPID=$!
exec 3>"$WORK/in.$$"
rm -f "$WORK/in.$$"
i=0
until grep -q '^READY' "$WORK/porter.out" 2>/dev/null; do
    if ! kill -0 $JPID 2>/dev/null; then cat "$WORK/porter.out"; exit 1; fi
    i=$((i + 1)); [ $i -lt 1800 ] || { echo "Porter did not start"; exit 1; }
    sleep 1
done
grep -E '^(loaded|READY)' "$WORK/porter.out"
python3 "$ROOT/bench/pop3_client.py" 127.0.0.1 "$PORT" porter
exec 3>&-
wait $JPID || true

[ "${1:-}" = "--no-dovecot" ] && exit 0
echo "== Dovecot"
if ! command -v dovecot >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-pop3d) >/dev/null 2>&1 \
        || { echo "Dovecot not installable here: skipped"; exit 0; }
fi
D=$WORK/dovecot
if [ ! -f "$D/filled" ]; then
    rm -rf "$D"; mkdir -p "$D"
    python3 - "$D" <<'PY'
import os, sys
d = sys.argv[1]
line = "The quick brown fox jumps over the lazy dog, and the office reads its mail by POP3.\r\n"
def fill(user, count, size):
    new = os.path.join(d, "home", user, "Maildir", "cur")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(d, "home", user, "Maildir", sub), exist_ok=True)
    for n in range(count):
        b = "From: sender@elsewhere.example\r\nTo: %s\r\nSubject: message %d\r\n\r\n" % (user, n)
        while len(b) + len(line) <= size:
            b += line
        b = b + "x" * max(0, size - 2 - len(b)) + "\r\n"
        with open(os.path.join(new, "%d.%06d.bench:2,S" % (1700000000 + n, n)), "w", newline="") as f:
            f.write(b.replace("\r\n", "\n"))
fill("bench1k", 1000, 10 * 1024)
fill("big", 10000, 2 * 1024)
for u in range(89):
    fill("user%d" % u, 1000, 1024)
PY
    touch "$D/filled"
fi
# mail is read as an unprivileged user (Dovecot refuses uid 0 for mail)
UIDN=$(id -u dovecot); GIDN=$(id -g dovecot)
chown -R "$UIDN:$GIDN" "$D/home"
: >"$D/passwd"
for u in bench1k big; do echo "$u:{PLAIN}bench-password:$UIDN:$GIDN::$D/home/$u::" >>"$D/passwd"; done
cat >"$D/dovecot.conf" <<CONF
protocols = pop3
listen = 127.0.0.1
base_dir = $D/run
state_dir = $D/state
log_path = $D/dovecot.log
ssl = no
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
first_valid_uid = 0
# Dovecot's login processes refuse to run as root: Debian's package users
default_login_user = dovenull
default_internal_user = dovecot
passdb {
  driver = passwd-file
  args = $D/passwd
}
userdb {
  driver = passwd-file
  args = $D/passwd
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    address = 127.0.0.1
    port = $DPORT
  }
  inet_listener pop3s {
    port = 0
  }
}
service anvil {
  chroot =
}
CONF
mkdir -p "$D/run" "$D/state"
dovecot -c "$D/dovecot.conf" -F &
DPID=$!
sleep 2
python3 "$ROOT/bench/pop3_client.py" 127.0.0.1 "$DPORT" dovecot || { tail -20 "$D/dovecot.log"; }
kill $DPID 2>/dev/null || true
wait $DPID 2>/dev/null || true
