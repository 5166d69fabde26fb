"""POP3 figures for bench/pop3.sh: RETR throughput and login+STAT latency, with poplib.

Usage: pop3_client.py HOST PORT LABEL
Users: bench1k (1,000 x 10 KiB), big (10,000 messages), password bench-password;
for Dovecot the user names carry no domain.
"""
import poplib
import statistics
import sys
import time

host, port, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
domain = "" if label == "dovecot" else "@bench.example"


def login(user):
    p = poplib.POP3(host, port, timeout=120)
    p.user(user + domain)
    p.pass_("bench-password")
    return p


# RETR 1,000 x 10 KiB in one session (a warm-up session first)
for attempt in ("warm-up", "measured"):
    p = login("bench1k")
    count, size = p.stat()
    start = time.perf_counter()
    octets = 0
    for n in range(1, count + 1):
        _, lines, o = p.retr(n)
        octets += o
    elapsed = time.perf_counter() - start
    p.quit()
print("%-8s RETR %d messages, %.1f MB: %.2f s = %.0f msgs/s, %.1f MB/s"
      % (label, count, octets / 1e6, elapsed, count / elapsed, octets / 1e6 / elapsed))

# login + STAT on the 10,000-message mailbox: median of 20 after 2 warm-ups
# (the login includes the password check: PBKDF2 with 210,000 rounds for Porter, {PLAIN} for this
# Dovecot setup) and the STAT alone after it
times, stats = [], []
for i in range(22):
    start = time.perf_counter()
    p = login("big")
    middle = time.perf_counter()
    n, size = p.stat()
    end = time.perf_counter()
    times.append(end - start)
    stats.append(end - middle)
    p.quit()
times, stats = times[2:], stats[2:]
print("%-8s login+STAT, %d messages: median %.1f ms, min %.1f ms, max %.1f ms (STAT alone: median %.2f ms)"
      % (label, n, statistics.median(times) * 1000, min(times) * 1000, max(times) * 1000,
         statistics.median(stats) * 1000))
