#!/usr/bin/env python3
"""bench/outbound-work.py - the work Porter does per relayed message (issue 13's outbound workload: smtp-source into
Porter, Porter relaying to smtp-sink), figures that do not depend on how busy the machine is. A benchmark tool,
never part of the tests; loopback only.

usage: bench/outbound-work.py TREE K [N] [REPS]     (TREE: a Porter checkout; K destinations; N messages per run)
  MODE=cpu (default): after WARM messages (3000), REPS runs of N: msgs/s, and the server's CPU ms per message
          from /proc/PID/task/*/stat by thread group (the JIT compiler and VM threads left out)
  MODE=count: also Derby's statements and commits per message (derby.language.logStatementText into a file of
          its own) and, from strace on the sinks, their write() calls (about one per SMTP round trip, plus one
          line of -c output per message) and accept() calls (connections)
  LAT=1 (default): then the time from a lone message's 250 to the sink's count going up (20 samples)
  SETTINGS="key=value ...": extra Porter settings"""
import sys, os, time, importlib.util, tempfile, subprocess, collections, re, smtplib, statistics
HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bench", os.path.join(HERE, "bench.py"))
bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench)
tree = sys.argv[1]; k = int(sys.argv[2]); n = int(sys.argv[3]) if len(sys.argv) > 3 else 300
reps = int(sys.argv[4]) if len(sys.argv) > 4 else 5
mode = os.environ.get("MODE", "cpu")   # cpu | count
bench.PORTER = os.path.join(tree, "porter")
work = tempfile.mkdtemp(prefix="outm-")
domains = ["dest%d.example" % i for i in range(k)]
sinks = bench.Sinks(work, k)
tmap = ",".join("%s=[127.0.0.1]:%d" % (d, p) for d, p in zip(domains, sinks.ports))
extra = os.environ.get("SETTINGS", "")
settings = [("delivery.tls", "none"), ("delivery.transport-map", tmap)] + [tuple(s.split("=", 1)) for s in extra.split() if s]
dlog = os.path.join(work, "derby-stmts.log")
if mode == "count":
    os.environ["PORTER_JAVA_OPTS"] = "-Dderby.language.logStatementText=true -Dderby.stream.error.file=" + dlog
p = bench.Porter(work, "P", settings=settings); p.start()
SKIP = re.compile(r"^(C1 CompilerThre|C2 CompilerThre|VM Thread|GC Thread|VM Periodic Tas|Sweeper thread)")
def threads():
    return bench.thread_cpu_ms(p.pid)
def one(nn):
    start = sinks.count(); t0 = time.monotonic()
    bench.submit(p.smtp, nn, domains)
    deadline = t0 + 300
    while sinks.count() < start + nn and time.monotonic() < deadline:
        time.sleep(0.005)
    return nn / (time.monotonic() - t0)
def latency(samples=20):
    """acceptance (250 after DATA) to the sink's count going up, one lone message at a time"""
    out = []
    body = "Subject: x\r\n\r\n" + ("y" * 70 + "\r\n") * 140
    for i in range(samples):
        c0 = sinks.count()
        s = smtplib.SMTP("127.0.0.1", p.smtp, timeout=60)
        s.sendmail("alice@office.example", ["friend@" + domains[0]], body)
        t0 = time.monotonic()
        while sinks.count() <= c0 and time.monotonic() < t0 + 60:
            time.sleep(0.0005)
        out.append((time.monotonic() - t0) * 1000)
        s.quit()
        time.sleep(0.05)
    return out
try:
    warm = int(os.environ.get("WARM", "3000"))
    rates = []
    while warm > 0:
        rates.append(one(min(n, warm))); warm -= n
    print("warm-up rates:", " ".join("%.0f" % r for r in rates), flush=True)
    if mode == "count":
        pre = os.path.getsize(dlog)
        sinkpids = [str(q.pid) for q in sinks.procs]
        st = subprocess.Popen(["strace", "-f", "-c", "-e", "trace=write,writev,sendto,accept,accept4", "-o", work + "/sink.strace"]
                              + sum([["-p", x] for x in sinkpids], []), stderr=subprocess.DEVNULL)
        time.sleep(1.0)
    a = threads(); t0 = time.monotonic(); rr = [one(n) for _ in range(reps)]; el = time.monotonic() - t0; b = threads()
    tot_msgs = n * reps
    d = b - a
    app = {g: v for g, v in d.items() if not SKIP.match(g)}
    print("%s K=%d: %d x %d msgs, rates %s msgs/s (median %.0f)" % (tree, k, reps, n, " ".join("%.0f" % r for r in rr), statistics.median(rr)))
    print("  app CPU %.3f ms/msg (all threads %.3f)" % (sum(app.values()) / tot_msgs, sum(d.values()) / tot_msgs))
    for g, v in sorted(app.items(), key=lambda x: -x[1])[:10]:
        if v: print("     %-28s %.3f ms/msg" % (g, v / tot_msgs))
    print("  left out: " + ", ".join("%s %.3f" % (g, v / tot_msgs) for g, v in sorted(d.items(), key=lambda x: -x[1])
                                     if g not in app and v))
    if mode == "count":
        st.send_signal(2); st.wait(30)
        txt = open(dlog, "rb").read()[pre:].decode("utf-8", "replace")
        ex = len(re.findall(r"Executing prepared statement", txt))
        cm = len(re.findall(r"Committing", txt))
        rb = len(re.findall(r"Rolling back", txt))
        print("  derby: %.2f statements/msg, %.2f commits/msg (read-only included), %.2f rollbacks/msg" % (ex / tot_msgs, cm / tot_msgs, rb / tot_msgs))
        stmts = collections.Counter(re.sub(r"\s+", " ", m)[:90] for m in re.findall(r"Executing prepared statement: (.*?) :End prepared statement", txt, re.S))
        for s_, c in stmts.most_common(14): print("     %6.2f/msg  %s" % (c / tot_msgs, s_))
        print(open(work + "/sink.strace").read())
    if os.environ.get("LAT", "1") == "1":
        lat = latency()
        print("  acceptance->delivery, lone message: median %.1f ms, p90 %.1f ms, max %.1f ms" % (statistics.median(lat), sorted(lat)[int(len(lat)*0.9)-1], max(lat)))
finally:
    p.stop(); sinks.stop()
