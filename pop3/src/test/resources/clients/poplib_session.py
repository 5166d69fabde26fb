"""One POP3 session with Python's poplib, driven by PoplibClientTest.

Usage: poplib_session.py HOST PORT USER PASSWORD OUTDIR
Prints key=value lines; writes each retrieved message, reassembled with CRLF line ends,
to OUTDIR/N.eml so the Java side can compare bytes.
"""
import os
import poplib
import sys

host, port, user, password, outdir = sys.argv[1:6]
p = poplib.POP3(host, int(port), timeout=10)
print("welcome=" + p.getwelcome().decode("ascii"))
print("capa=" + ",".join(sorted(p.capa().keys())))
print("user=" + p.user(user).decode("ascii"))
print("pass=" + p.pass_(password).decode("ascii"))
count, size = p.stat()
print("stat=%d %d" % (count, size))
resp, lines, _ = p.list()
print("list=" + ",".join(l.decode("ascii") for l in lines))
resp, lines, _ = p.uidl()
print("uidl=" + ",".join(l.decode("ascii") for l in lines))
print("uidl2=" + p.uidl(2).decode("ascii"))
for n in range(1, count + 1):
    resp, lines, octets = p.retr(n)
    with open(os.path.join(outdir, "%d.eml" % n), "wb") as f:
        f.write(b"".join(l + b"\r\n" for l in lines))
    print("retr%d=%s" % (n, resp.decode("ascii")))
resp, lines, _ = p.top(3, 1)
print("top=" + "|".join(l.decode("ascii") for l in lines))
print("dele=" + p.dele(1).decode("ascii"))
try:
    p.retr(1)
except poplib.error_proto as e:
    print("retr-deleted=" + e.args[0].decode("ascii"))
print("quit=" + p.quit().decode("ascii"))
