#!/usr/bin/env python3
"""bench/accept-only.py - what accepting mail costs Porter, without delivery: N messages of 10 KiB from K smtp-source
processes at once (one session each, a connection per message), to remote recipients at K domains with the queue
held (MODE=remote, the default: a dial-up office whose link is down) or to one local user (MODE=local), REPS times.
Prints the median time of the runs after the third, msgs/s and the server's CPU ms per message (/proc/PID/stat).
A benchmark tool, never part of the tests; loopback only.

usage: bench/accept-only.py TREE K N REPS      (TREE: a Porter checkout)
  SETTINGS="key=value ...": extra Porter settings; PROFILE=FILE: async-profiler's collapsed CPU stacks of the runs
  after the third into FILE (bench/profile fetches the profiler)"""
import sys, os, time, importlib.util, tempfile, statistics, subprocess
tree, k, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
spec = importlib.util.spec_from_file_location("bench", os.path.join(tree, "bench", "bench.py"))
bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench)
bench.PORTER = os.path.join(tree, "porter")
mode = os.environ.get("MODE", "remote")
work = tempfile.mkdtemp(prefix="acc-")
domains = ["dest%d.example" % i for i in range(k)]
extra = os.environ.get("SETTINGS", "")
tmap = ",".join("%s=[127.0.0.1]:%d" % (d, 9) for d in domains)
settings = [("delivery.tls", "none"), ("queue.hold", "true"), ("delivery.transport-map", tmap)] if mode == "remote" else []
p = bench.Porter(work, "P", settings=settings + [tuple(s.split("=", 1)) for s in extra.split() if s],
                 users=["friend@office.example"]); p.start()
def cpu(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def submit(port, n):
    procs = []
    per = [n // k + (1 if i < n % k else 0) for i in range(k)]
    for i, m in enumerate(per):
        rcpt = ("friend@" + domains[i]) if mode == "remote" else "friend@office.example"
        procs.append(subprocess.Popen(["smtp-source", "-s", "1", "-m", str(m), "-l", str(bench.KIB10), "-f",
                                       "alice@office.example", "-t", rcpt, "127.0.0.1:%d" % port]))
    for q in procs:
        if q.wait(1800) != 0:
            raise RuntimeError("smtp-source failed")
try:
    ts, cs = [], []
    lib = os.path.join(tree, "bench/.data/async-profiler/linux-x64/libasyncProfiler.so")
    jcmd = os.path.join(os.environ["JAVA_HOME"], "bin", "jcmd")
    prof = os.environ.get("PROFILE")
    for r in range(reps):
        if prof and r == 3:
            subprocess.run([jcmd, str(p.pid), "JVMTI.agent_load", lib, '"start,event=cpu,interval=1ms,collapsed,file=%s"' % prof], check=True)
        c0 = cpu(p.pid); t0 = time.monotonic(); submit(p.smtp, n); ts.append(time.monotonic() - t0)
        cs.append((cpu(p.pid) - c0) * 1000 / n)
    if prof:
        subprocess.run([jcmd, str(p.pid), "JVMTI.agent_load", lib, '"stop,collapsed,file=%s"' % prof], check=True)
    w = ts[3:]; c = cs[3:]
    print("accept %s %s k=%d n=%d: median %.3f s = %.0f msgs/s, cpu %.2f ms/msg (all: %s)" % (mode, tree, k, n,
          statistics.median(w), n / statistics.median(w), statistics.median(c), " ".join("%.2f" % t for t in ts)))
finally:
    p.stop()
    import shutil; shutil.rmtree(work, ignore_errors=True)
