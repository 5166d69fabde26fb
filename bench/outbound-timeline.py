#!/usr/bin/env python3
"""bench/outbound-timeline.py - issue 13 outbound: where the time goes, acceptance or delivery. A benchmark tool,
never part of the tests; loopback only.

usage: bench/outbound-timeline.py TREE K N REPS   (WARM=6 warm-up runs; SETTINGS="key=value ...")
Each run submits N messages as bench.py does (one smtp-source session per destination, 20 for one) and prints
the time until all were accepted (every smtp-source done) and until the sinks counted them all: the
difference is the delivery tail (at 50 destinations on main it was longer than the acceptance itself)."""
import sys, os, time, importlib.util, tempfile, threading, statistics
spec = importlib.util.spec_from_file_location("bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.py"))
bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench)
tree, k, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
bench.PORTER = os.path.join(tree, "porter")
work = tempfile.mkdtemp(prefix="outt-")
domains = ["dest%d.example" % i for i in range(k)]
sinks = bench.Sinks(work, k)
tmap = ",".join("%s=[127.0.0.1]:%d" % (d, p) for d, p in zip(domains, sinks.ports))
extra = os.environ.get("SETTINGS", "")
p = bench.Porter(work, "P", settings=[("delivery.tls", "none"), ("delivery.transport-map", tmap)] + [tuple(s.split("=", 1)) for s in extra.split() if s]); p.start()
try:
    for warm in range(int(os.environ.get("WARM", "6"))):
        c = sinks.count(); bench.submit(p.smtp, n, domains)
        while sinks.count() < c + n: time.sleep(0.01)
    res = []
    for r in range(reps):
        c = sinks.count(); t0 = time.monotonic(); done = {}
        th = threading.Thread(target=lambda: (bench.submit(p.smtp, n, domains), done.setdefault("acc", time.monotonic()))); th.start()
        half = None
        while sinks.count() < c + n: time.sleep(0.002)
        t1 = time.monotonic(); th.join()
        res.append((done["acc"] - t0, t1 - t0))
        print("run %d: accepted all %.3f s, delivered all %.3f s, tail %.0f ms, %.0f msgs/s" % (r, done["acc"] - t0, t1 - t0, (t1 - done["acc"]) * 1000, n / (t1 - t0)), flush=True)
    print("median accepted %.3f delivered %.3f" % (statistics.median(a for a, b in res), statistics.median(b for a, b in res)))
finally:
    p.stop(); sinks.stop()
