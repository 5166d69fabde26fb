#!/usr/bin/env python3
"""A text summary of a profile in collapsed-stack form (async-profiler's converter, `-o collapsed --threads`:
one line per distinct stack, "[thread];frame;frame;...;leaf COUNT"), for docs/profiles/ and the report.

usage: bench/flamesummary.py STACKS.txt [--top N] [--title T]

What it prints (samples are CPU samples or wall-clock samples, whichever the file holds):
  - by thread; then for the application's threads only (not the JIT compilers, GC, VM threads):
  - by part: each sample goes to the deepest frame that belongs to a library or to Porter (Porter, Derby,
    Netty, James, Jetty, other library); a stack of JDK frames only is "JDK", one of no Java frame at all
    (JIT compiler, GC, VM threads, native code outside Java) is "JVM/native";
  - top frames by owner: the deepest Porter/library frame of each sample (what the JDK work below it was for);
  - top methods by self time (the leaf frame) and by total time (anywhere in the stack, once a stack).
"""
import argparse
import collections
import re
import sys

PARTS = [("org.porter.", "Porter"), ("org.apache.derby.", "Derby"), ("io.netty.", "Netty"),
         ("org.apache.james.", "James"), ("org.eclipse.jetty.", "Jetty")]
JDK = ("java.", "javax.", "jdk.", "sun.", "com.sun.")


def clean(frame):
    """'org/porter/Foo.bar_[j]' -> 'org.porter.Foo.bar' (the frame-type suffix off, dotted)."""
    if frame.endswith("_[k]"):   # a kernel frame
        return frame[:-4] + " [kernel]"
    frame = re.sub(r"_\[[a-z0-9]+\]$", "", frame)
    return frame.replace("/", ".") if not frame.startswith("[") else frame


JAVA_FRAME = re.compile(r"^[A-Za-z_$][\w$]*(\.[\w$]+)+\.[A-Za-z_$<][\w$<>]*$")


def is_java(frame):
    # package.Class.method; C++ frames have '::', kernel and libc ones no package ("finish_task_switch.isra.0")
    return bool(JAVA_FRAME.match(frame))


def part(frame):
    for prefix, name in PARTS:
        if frame.startswith(prefix):
            return name
    if frame.startswith(JDK):
        return "JDK"
    return "other library" if is_java(frame) else "JVM/native"


def thread_group(name):
    name = re.sub(r"\s*tid=\d+", "", name.strip("[]"))
    return re.sub(r"[-#]?\d+$", "", name).strip() or name   # "smtp-io-3" -> "smtp-io", "C2 CompilerThread0" -> "C2 CompilerThread"


def read(path):
    stacks = []
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if not line:
            continue
        head, _, count = line.rpartition(" ")
        frames = [clean(f) for f in head.split(";")]
        thread = frames.pop(0) if frames and frames[0].startswith("[") else "[?]"
        stacks.append((thread_group(thread), frames, int(count)))
    return stacks


def owner(frames):
    for f in reversed(frames):
        p = part(f)
        if p not in ("JDK", "JVM/native"):
            return p
    return "JDK" if any(part(f) == "JDK" for f in frames) else "JVM/native"


JVM_THREADS = re.compile(r"^(C[12] CompilerThre|VM Thread|VM Periodic|GC |G1 |Service Thread|Async-profiler|Native Heap Tri"
                         r"|Monitor Deflati|Signal Dispatcher|Attach Listener|Notification Thread|Common-Cleaner|Reference Handler"
                         r"|Finalizer)")


# A thread with nothing to do: an I/O thread in its selector (waiting for the network), a pool thread for work.
IDLE = re.compile(r"SelectedSelectionKeySetSelector\.select$|ForkJoinPool\.awaitWork$|ThreadPoolExecutor\.getTask$")


def summary(path, top=15, title=None, threads=None):
    """The text summary of one collapsed-stacks file. threads: a regular expression; only the samples of the
    threads whose name (without its number) matches it (for wall-clock samples: the threads doing the workload,
    running or waiting, and not every idle thread of the JVM)."""
    stacks = read(path)
    idle = 0
    if threads:
        stacks = [s for s in stacks if re.search(threads, s[0])]
        busy = [s for s in stacks if not any(IDLE.search(f) for f in s[1])]
        idle = sum(c for _, _, c in stacks) - sum(c for _, _, c in busy)
        stacks = busy
    everything = sum(c for _, _, c in stacks) or 1
    by_thread = collections.Counter()
    for thread, _, c in stacks:
        by_thread[thread] += c
    java = [s for s in stacks if not JVM_THREADS.match(s[0])]
    total = sum(c for _, _, c in java) or 1
    parts, self_, owners, incl = (collections.Counter() for _ in range(4))
    for thread, frames, c in java:
        parts[owner(frames)] += c
        if frames:
            self_[frames[-1]] += c
        for f in reversed(frames):
            if part(f) not in ("JDK", "JVM/native"):
                owners[f] += c
                break
        for f in set(frames):
            incl[f] += c
    pct = lambda c, t=total: "%5.1f%%" % (100.0 * c / t)
    out = ["# " + (title or path), "",
           "%d samples%s; %.0f%% of them in the application's threads (the rest: JIT compilers, GC, VM threads)."
           % (everything, " of the threads matching '%s', not idle (%d more samples idle: waiting in the selector"
              " for the network, or a pool thread for work)" % (threads, idle) if threads else "",
              100.0 * total / everything), "",
           "By thread (share of all samples):"] + ["  %s  %s" % (pct(c, everything), n) for n, c in by_thread.most_common(8)]
    out += ["", "Application threads from here on (shares of their samples).", "",
            "By part (the deepest Porter/library frame of each sample; JDK = JDK frames only; JVM/native = no Java frame):"]
    out += ["  %s  %s" % (pct(c), n) for n, c in parts.most_common()]
    out += ["", "Top frames by owner (the deepest Porter/library frame of each sample, with all the JDK/native below it):"]
    out += ["  %s  %-13s %s" % (pct(c), part(f), f) for f, c in owners.most_common(top)]
    out += ["", "Top methods, self (leaf frame):"]
    out += ["  %s  %-13s %s" % (pct(c), part(f), f) for f, c in self_.most_common(top)]
    out += ["", "Top Porter methods, total (anywhere in the stack):"]
    out += ["  %s  %s" % (pct(c), f) for f, c in incl.most_common() if part(f) == "Porter"][:top]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("stacks")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--title")
    ap.add_argument("--threads", help="only the threads whose name matches this regular expression")
    a = ap.parse_args()
    sys.stdout.write(summary(a.stacks, a.top, a.title, a.threads))
