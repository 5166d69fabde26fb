#!/usr/bin/env python3
"""Before/after: the same workload against two Porter trees (two checkouts, e.g. `git worktree add --detach
/tmp/before HEAD~3`), alternated, medians and the B/A ratio. Each tree's ./porter builds itself if needed.

usage: bench/compare-trees.py TREE_A TREE_B {pop3,ingest1,ingest20,startup}... [--reps N] [--n N]
  pop3      RETR of N x 10 KiB with poplib in one session (msgs/s)
  ingest1   N/4 x 10 KiB over 1 smtp-source session, a connection per message (msgs/s)
  ingest20  N x 10 KiB over 20 sessions (msgs/s)
  startup   ./porter serve to the SMTP banner (s; lower is better: B/A < 1 means B starts faster), the CPU
            time spent by then, and the idle RSS 5 s after the banner (MiB); each server restarted per repetition
Needs Postfix's smtp-source (bench/run installs it). When a step fails, it names the tree and leaves a jstack of its server in /tmp/compare-trees-jstack.txt."""
import sys, os, time, statistics, importlib.util, tempfile, shutil, argparse
ap = argparse.ArgumentParser()
ap.add_argument("a"); ap.add_argument("b"); ap.add_argument("what", nargs="+")
ap.add_argument("--reps", type=int, default=7); ap.add_argument("--n", type=int, default=1000)
args = ap.parse_args()
spec = importlib.util.spec_from_file_location("bench", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.py"))
bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench)
work = tempfile.mkdtemp(prefix="ab-")
user = "pop@office.example"
def porter(tree, name):
    bench.PORTER = os.path.join(tree, "porter")
    p = bench.Porter(work, name, users=[user])
    bench.PORTER = os.path.join(tree, "porter")
    p.start(); p.tree = tree
    return p
def cpu_seconds(pid):
    """utime + stime of a process so far (the launcher execs java: its shell's time is in it too)."""
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
ps = [porter(args.a, "A"), porter(args.b, "B")]
try:
    for what in args.what:
        res = {0: [], 1: []}
        if what == "pop3":
            for p in ps:
                bench.smtp_source(p.smtp, args.n, bench.KIB10, 20, "b@elsewhere.example", user, reuse=True)
                try:
                    bench.wait_for("mail", lambda: p.stat(user) >= args.n, timeout=600)
                    bench.pop3_figures(p.pop3, user, args.n)
                except Exception as e:
                    print("FAILED in", p.tree, repr(e), flush=True)
                    jstack = os.path.join(os.environ.get("JAVA_HOME", ""), "bin", "jstack")
                    os.system("%s %d > /tmp/compare-trees-jstack.txt 2>&1" % (jstack if os.path.exists(jstack) else "jstack", p.pid))
                    raise
            for r in range(args.reps):
                for i in ((0, 1) if r % 2 == 0 else (1, 0)):
                    res[i].append(bench.pop3_figures(ps[i].pop3, user, args.n)[0])
        elif what == "startup":
            rss, cpu = {0: [], 1: []}, {0: [], 1: []}
            for r in range(args.reps):
                for i in ((0, 1) if r % 2 == 0 else (1, 0)):
                    ps[i].stop()
                    ps[i].start()
                    res[i].append(ps[i].startup)
                    cpu[i].append(cpu_seconds(ps[i].pid))
                    time.sleep(5)   # the idle figure is the RSS 5 s after the banner, by definition
                    rss[i].append(bench.rss_mib(ps[i].pid))
            print("CPU s to the banner (JVM and launcher, user+system; load-proof): A %.2f  B %.2f  B/A %.2f   (A %s | B %s)"
                  % (statistics.median(cpu[0]), statistics.median(cpu[1]), statistics.median(cpu[1]) / statistics.median(cpu[0]),
                     " ".join("%.2f" % x for x in cpu[0]), " ".join("%.2f" % x for x in cpu[1])), flush=True)
            print("idle RSS MiB: A %.0f  B %.0f   (A %s | B %s)" % (statistics.median(rss[0]), statistics.median(rss[1]),
                  " ".join("%.0f" % x for x in rss[0]), " ".join("%.0f" % x for x in rss[1])), flush=True)
        else:
            sessions = 1 if what == "ingest1" else 20
            n = args.n if sessions == 20 else args.n // 4
            for r in range(args.reps):
                for i in ((0, 1) if r % 2 == 0 else (1, 0)):
                    t = bench.smtp_source(ps[i].smtp, n, bench.KIB10, sessions, "b@elsewhere.example", user)
                    res[i].append(n / t)
        a, b = statistics.median(res[0]), statistics.median(res[1])
        f = "%.2f" if what == "startup" else "%.0f"
        print(("%s: A " + f + "  B " + f + "  B/A %.2f   (A %s | B %s)") % (what, a, b, b / a,
              " ".join(f % x for x in res[0]), " ".join(f % x for x in res[1])), flush=True)
finally:
    for p in ps: p.stop()
    shutil.rmtree(work, ignore_errors=True)
