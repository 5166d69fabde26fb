#!/usr/bin/env python3
"""bench/smtp-load.py - SMTP load generator for the figures (not a test).

Sends N messages of SIZE octets over P parallel sessions (each session sends N/P messages, one
transaction each, reusing its connection) and prints msgs/s. With --starttls each session
upgrades with STARTTLS first (certificate not verified).

usage: smtp-load.py HOST PORT [--n 1000] [--size 10240] [--sessions 20] [--starttls] [--to ADDR]
"""
import argparse, smtplib, ssl, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("host"); ap.add_argument("port", type=int)
ap.add_argument("--n", type=int, default=1000); ap.add_argument("--size", type=int, default=10240)
ap.add_argument("--sessions", type=int, default=20); ap.add_argument("--starttls", action="store_true")
ap.add_argument("--to", default="alice@office.example"); ap.add_argument("--sender", default="bench@elsewhere.example")
a = ap.parse_args()

body = ("Subject: bench\r\n\r\n" + ("x" * 76 + "\r\n") * (a.size // 78 + 1))[: a.size].encode()
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
errors = []

def session(count):
    try:
        s = smtplib.SMTP(a.host, a.port, timeout=60)
        s.ehlo("bench.example")
        if a.starttls:
            s.starttls(context=ctx); s.ehlo("bench.example")
        for _ in range(count):
            s.sendmail(a.sender, [a.to], body)
        s.quit()
    except Exception as e:  # report, do not hide
        errors.append(repr(e))

per = [a.n // a.sessions + (1 if i < a.n % a.sessions else 0) for i in range(a.sessions)]
threads = [threading.Thread(target=session, args=(c,)) for c in per]
t0 = time.monotonic()
for t in threads: t.start()
for t in threads: t.join()
dt = time.monotonic() - t0
print(f"{a.n} x {a.size} B over {a.sessions} sessions{' with STARTTLS' if a.starttls else ''}: "
      f"{dt:.2f} s = {a.n / dt:.0f} msgs/s" + (f"  ERRORS: {len(errors)} {errors[:3]}" if errors else ""))
