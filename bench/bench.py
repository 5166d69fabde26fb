#!/usr/bin/env python3
"""Porter vs Postfix + Dovecot on this machine: the workloads of issue 13 (run by bench/run).

A benchmark, never part of the tests. Everything listens on 127.0.0.1 only (ephemeral ports); every
wait polls a condition with a deadline; every loop is bounded. Each workload runs Porter and its peer
alternately (Porter, peer, Porter, peer, ...) so that a change in the machine's load hits both alike,
and the table shows the median of the repetitions and the ratio Porter/peer.

Durability, what each side has on disk before it answers:
  Porter   250 after DATA: the message is in the mailbox tables (Derby), committed; Derby writes and
           syncs its transaction log at each commit (derby.system.durability unset = full).
           +OK: reads only.
  Postfix  250 after DATA: cleanup(8) has written and fsync()ed the queue file. Delivery into the
           Maildir (virtual(8)) writes the file in tmp/, fsync()s it and renames it into new/.
  Dovecot  POP3 reads the Maildir Postfix wrote; mail_fsync = optimized (its default: fsync when
           it changes mail, e.g. DELE at QUIT; RETR writes nothing but its index/uidlist files).
"""
import argparse
import collections
import contextlib
import datetime
import glob
import os
import platform
import poplib
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PORTER = os.path.join(ROOT, "porter")
KIB10 = 10 * 1024
PASSWORD = "bench-password"
PBKDF2_ROUNDS = 210000   # Porter's PasswordHash.ITERATIONS (Dovecot's too with PORTER_BENCH_DOVECOT_SCHEME=PBKDF2)


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, cond, timeout=120, step=0.02):
    """Polls cond() until it returns a true value (returned), at most timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise RuntimeError("timed out waiting for " + what)
        time.sleep(step)


def banner(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            return s.recv(200).startswith(b"220")
    except OSError:
        return False


def rss_mib(pid, field="VmRSS"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def smtp_source(port, n, size, sessions, sender, rcpt, reuse=False, timeout=1800):
    """Postfix's smtp-source: n messages of size octets over sessions parallel sessions; seconds taken.
    Without reuse each message has its own connection (smtp-source's default)."""
    cmd = ["smtp-source", "-s", str(sessions), "-m", str(n), "-l", str(size), "-f", sender, "-t", rcpt]
    if reuse:
        cmd.insert(1, "-d")
    t0 = time.monotonic()
    subprocess.run(cmd + ["127.0.0.1:%d" % port], check=True, timeout=timeout)
    return time.monotonic() - t0


# ---------------------------------------------------------------------------------------------- Porter

class Porter:
    """One `./porter serve` on loopback ports with a data folder of its own."""

    def __init__(self, work, name, settings=(), domains=("office.example",), users=()):
        self.dir = os.path.join(work, name)
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.dir, exist_ok=True)
        base = [("submission.port", "0"), ("smtps.port", "0"), ("pop3s.port", "0"), ("admin.tls-port", "0"),
                ("pop3.plaintext-auth", "always")]
        for k, v in base + list(settings):
            run([PORTER, "config", "set", k, v, "--data", self.data])
        for d in domains:
            run([PORTER, "domain", "add", d, "--data", self.data])
        for u in users:
            run([PORTER, "user", "add", u, "--password-stdin", "--data", self.data], input=PASSWORD + "\n")
        self.proc = None

    def start(self):
        self.smtp, self.pop3 = free_port(), free_port()
        t0 = time.monotonic()
        self.out = open(os.path.join(self.dir, "serve.out"), "ab")
        self.proc = subprocess.Popen(
            [PORTER, "serve", "--data", self.data, "--listen", "127.0.0.1", "--smtp-port", str(self.smtp),
             "--pop3-port", str(self.pop3), "--admin-port", "0", "--hostname", "bench.office.example"],
            stdout=self.out, stderr=subprocess.STDOUT)
        wait_for("Porter's SMTP banner", lambda: banner(self.smtp) or self._dead(), timeout=180, step=0.01)
        self.startup = time.monotonic() - t0
        return self

    def _dead(self):
        if self.proc.poll() is not None:
            raise RuntimeError("porter serve exited %s: see %s/serve.out" % (self.proc.returncode, self.dir))
        return False

    @property
    def pid(self):
        return self.proc.pid   # ./porter execs java: the JVM has the launcher's pid

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self.proc = None

    def stat(self, user):
        p = poplib.POP3("127.0.0.1", self.pop3, timeout=60)
        try:
            p.user(user)
            p.pass_(PASSWORD)
            return p.stat()[0]
        finally:
            p.quit()


# -------------------------------------------------------------------------------------------- Postfix

class Postfix:
    """A Postfix instance of its own (bench/postfix-peer.sh) on a loopback port; Maildir delivery by
    virtual(8) into DIR/mail/<user>/ for the users given."""

    def __init__(self, work, name, users=(), extra=()):
        self.dir = os.path.join(work, name)
        self.port = free_port()
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(work, 0o755)
        run([os.path.join(ROOT, "bench", "postfix-peer.sh"), self.dir, str(self.port)])
        boxes = ", ".join("%s=%s/" % (u, u.split("@")[0]) for u in users) or "none=none/"
        self.postconf("virtual_mailbox_maps=inline:{ %s }" % boxes, "message_size_limit=104857600",
                      "virtual_mailbox_limit=0", *extra)
        self.reload()

    def postconf(self, *kv):
        run(["postconf", "-c", self.etc, "-e", *kv])

    @property
    def etc(self):
        return os.path.join(self.dir, "etc")

    def reload(self):
        run(["postfix", "-c", self.etc, "reload"])
        wait_for("Postfix after reload", lambda: banner(self.port), timeout=60)
        time.sleep(0.5)   # reload is asynchronous: let master restart its children (a settling, not a wait)

    def maildir(self, user):
        return os.path.join(self.dir, "mail", user.split("@")[0])

    def count(self, user):
        d = os.path.join(self.maildir(user), "new")
        return len(os.listdir(d)) if os.path.isdir(d) else 0

    def queue_empty(self):
        for sub in ("incoming", "active", "deferred", "maildrop"):
            for _, _, files in os.walk(os.path.join(self.dir, "spool", sub)):
                if files:
                    return False
        return True

    def processes_rss(self):
        """Summed RSS of this instance's processes (master and its children), MiB."""
        try:
            master = int(open(os.path.join(self.dir, "spool", "pid", "master.pid")).read().split()[0])
        except (OSError, ValueError):
            return 0.0
        pids = [master] + [int(p) for p in subprocess.run(["pgrep", "-P", str(master)], stdout=subprocess.PIPE,
                                                            text=True).stdout.split()]
        return sum(rss_mib(p) for p in pids if os.path.exists("/proc/%d" % p))

    def stop(self):
        subprocess.run(["postfix", "-c", self.etc, "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Dovecot:
    """Dovecot's POP3 on a loopback port over Maildirs Postfix delivered (passwd-file, PBKDF2, auth cache)."""

    def __init__(self, work, maildirs):
        self.dir = os.path.join(work, "dovecot")
        os.makedirs(os.path.join(self.dir, "run"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "state"), exist_ok=True)
        self.port = free_port()
        uid, gid = 65534, 65534   # the Maildirs belong to nobody (Postfix's virtual_uid_maps)
        try:
            gid = int(run(["id", "-g", "nobody"]).stdout)
        except subprocess.CalledProcessError:
            pass
        # A strong hash as a real Dovecot would use: SHA512-CRYPT (5,000 rounds), the scheme Dovecot's
        # documentation recommends; PORTER_BENCH_DOVECOT_SCHEME=PBKDF2 gives Porter's 210,000 PBKDF2
        # rounds instead (Dovecot's own PBKDF2 is HMAC-SHA1 and slow: ~0.4 s a login here), PLAIN none.
        # Dovecot's auth cache is on, but it caches the passdb lookup: the hash is verified at every login.
        self.scheme = os.environ.get("PORTER_BENCH_DOVECOT_SCHEME", "SHA512-CRYPT").upper()
        if self.scheme == "PLAIN":
            hashed = "{PLAIN}" + PASSWORD
        else:
            rounds = ["-r", str(PBKDF2_ROUNDS)] if self.scheme == "PBKDF2" else []
            hashed = run(["doveadm", "pw", "-s", self.scheme, *rounds, "-p", PASSWORD]).stdout.strip()
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            for user, md in maildirs.items():
                f.write("%s:%s:%d:%d::%s::userdb_mail=maildir:%s\n" % (user, hashed, uid, gid, md, md))
        with open(os.path.join(self.dir, "dovecot.conf"), "w") as f:
            f.write("""protocols = pop3
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
mail_fsync = optimized
first_valid_uid = 0
default_login_user = dovenull
default_internal_user = dovecot
pop3_uidl_format = %08Xu%08Xv
auth_cache_size = 1M
auth_cache_ttl = 10 mins
passdb {{
  driver = passwd-file
  args = {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
}}
service pop3-login {{
  chroot =
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""".format(d=self.dir, port=self.port))
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", os.path.join(self.dir, "dovecot.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("Dovecot's POP3 banner", lambda: self._banner(), timeout=60)

    def _banner(self):
        if self.proc.poll() is not None:
            raise RuntimeError("dovecot exited: see %s/dovecot.log" % self.dir)
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                return s.recv(200).startswith(b"+OK")
        except OSError:
            return False

    def stop(self):
        self.proc.terminate()
        self.proc.wait(60)


# ------------------------------------------------------------------------------------------ Workloads

class Results:
    def __init__(self):
        self.rows = []   # (workload, metric, unit, porter values, peer values, better, target, note)

    def add(self, workload, metric, unit, porter, peer=None, better="higher", target="", note=""):
        self.rows.append(dict(workload=workload, metric=metric, unit=unit, porter=list(porter),
                              peer=list(peer) if peer is not None else None, better=better, target=target, note=note))


JIT_THREADS = re.compile(r"^C[12] CompilerThre")   # HotSpot's JIT compiler threads, as /proc names them


def thread_cpu_ms(pid):
    """CPU ms each group of process pid's threads has used so far (by /proc name, numbers dropped)."""
    out = collections.Counter()
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/stat" % (pid, t)) as f:
                s = f.read()
        except OSError:
            continue
        fields = s[s.rindex(")") + 2:].split()
        group = re.sub(r"[-_ ]?\d+$", "", s[s.index("(") + 1:s.rindex(")")])
        out[group] += (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    return out


def jit_cpu_s(pid):
    """CPU seconds the JIT compiler threads of JVM pid have used so far."""
    return sum(v for g, v in thread_cpu_ms(pid).items() if JIT_THREADS.match(g)) / 1000


def wait_jit_idle(pid, deadline):
    """Waits until the JIT compiler of JVM pid has drained its queue (under 5 % of a core for a second),
    as it does on an office's box between bursts of mail; at most until deadline."""
    while time.monotonic() < deadline:
        a = jit_cpu_s(pid)
        time.sleep(1.0)
        if jit_cpu_s(pid) - a < 0.05:
            return


class Rates(list):
    """warm_up's rates, and a note for the table when the server did not get warm."""
    note = ""


def warm_up(cfg, name, fn, least, jvm=None):
    """Runs fn (untimed for the table; it returns a rate) until the server is warm: at least `least`
    runs, then until two in a row differ by at most 10 % and, for a JVM (jvm: its pid; not in a quick
    run), its JIT compiler used at most 10 % of a core during the last run; within cfg.warm_budget
    seconds. Between runs a JVM's compiler gets the idle time a box has between bursts of mail to drain
    its queue: under full load on 2 cores its one C2 thread falls tens of seconds behind, and the hot
    paths run in slower profiling code meanwhile. A server runs for weeks: the table compares warm servers, and the first run after
    start (a JVM still compiling its hot code) is reported on a row of its own. Returns the rates, the
    first being that cold one."""
    rates, jit, t0 = Rates(), [], time.monotonic()
    deadline = t0 + cfg.warm_budget
    wait_jit = jvm and not cfg.quick   # a quick run (under 5 minutes) cannot wait for it: its rows say so
    while True:
        j0, r0 = (jit_cpu_s(jvm), time.monotonic()) if jvm else (0, 0)
        rates.append(fn())
        if jvm:
            jit.append((jit_cpu_s(jvm) - j0) / (time.monotonic() - r0))
        settled = (len(rates) >= max(least, 2) and abs(rates[-1] - rates[-2]) <= 0.10 * max(rates[-1], rates[-2])
                   and (not wait_jit or jit[-1] <= 0.10))
        if settled or time.monotonic() > deadline:
            break
        if wait_jit:
            wait_jit_idle(jvm, deadline)
    log("%s warm-up: %s%s%s" % (name, ", ".join("%.0f" % r for r in rates),
                                 "; JIT compiler (share of a core): " + ", ".join("%.0f %%" % (100 * j) for j in jit)
                                 if jvm else "", "" if settled else " (not settled)"))
    if jvm and jit[-1] > 0.10:
        rates.note = ("%s not warm: its JIT compiler still used %.0f %% of a core in the last warm-up run"
                      % (name, 100 * jit[-1]))
    return rates


def alternate(reps, porter_fn, peer_fn):
    """Runs porter_fn and peer_fn alternately reps times; lists of their results."""
    a, b = [], []
    for i in range(reps):
        a.append(porter_fn(i))
        if peer_fn:
            b.append(peer_fn(i))
    return a, b


def w_ingest(cfg, work, res):
    n20, n1 = cfg.ingest20, cfg.ingest1
    users = ["r%d@office.example" % i for i in range(2 * cfg.reps)] + ["warm@office.example"]
    porter = Porter(work, "porter-ingest", users=users).start()
    postfix = Postfix(work, "postfix-ingest", users=users)
    out = {}
    try:
        least = -(-5000 // n20)   # 5,000 messages at least
        log("ingest: warm-up, %d messages at a time over 20 sessions until the rate settles" % n20)
        warm = warm_up(cfg, "Porter", lambda: n20 / smtp_source(porter.smtp, n20, KIB10, 20, "bench@elsewhere.example",
                                                               "warm@office.example"), least, porter.pid)
        cold = (warm[0], warm_up(cfg, "Postfix", lambda: n20 / smtp_source(postfix.port, n20, KIB10, 20,
                                                                          "bench@elsewhere.example", "warm@office.example"),
                                 least)[0])
        for sessions, n in ((20, n20), (1, n1)):
            def p_run(i, sessions=sessions, n=n):
                user = users[i * 2 + (sessions == 1)]
                t = smtp_source(porter.smtp, n, KIB10, sessions, "bench@elsewhere.example", user)
                count = porter.stat(user)   # Porter's 250 = in the mailbox: already there
                if count != n:
                    raise RuntimeError("Porter: %d of %d messages in the mailbox" % (count, n))
                return n / t, n / t

            def f_run(i, sessions=sessions, n=n):
                user = users[i * 2 + (sessions == 1)]
                t0 = time.monotonic()
                smtp_source(postfix.port, n, KIB10, sessions, "bench@elsewhere.example", user)
                t1 = time.monotonic()
                wait_for("Postfix's Maildir deliveries", lambda: postfix.count(user) >= n, timeout=600, step=0.01)
                t2 = time.monotonic()
                return n / (t1 - t0), n / (t2 - t0)

            log("ingest: %d x 10 KiB over %d session(s)" % (n, sessions))
            a, b = alternate(cfg.reps, p_run, f_run)
            out[sessions] = (a, b)
        res.add("1 ingest", "accepted, 20 sessions (%d x 10 KiB)" % n20, "msgs/s", [x[0] for x in out[20][0]],
                [x[0] for x in out[20][1]], target=">= 2.0x", note=warm.note)
        res.add("1 ingest", "  accepted, 20 sessions, the first %d after start (cold)" % n20, "msgs/s", [cold[0]],
                [cold[1]])
        res.add("1 ingest", "in the mailbox, 20 sessions", "msgs/s", [x[1] for x in out[20][0]],
                [x[1] for x in out[20][1]])
        res.add("1 ingest", "accepted, 1 session (%d x 10 KiB)" % n1, "msgs/s", [x[0] for x in out[1][0]],
                [x[0] for x in out[1][1]], target=">= 1.5x")
        res.add("1 ingest", "in the mailbox, 1 session", "msgs/s", [x[1] for x in out[1][0]],
                [x[1] for x in out[1][1]])
        cfg.rss_after_ingest = rss_mib(porter.pid)
        cfg.hwm_after_ingest = rss_mib(porter.pid, "VmHWM")
        cfg.postfix_rss = postfix.processes_rss()
    finally:
        porter.stop()
        postfix.stop()


def heap_sampler(pid):
    """jstat -gc every 200 ms on the Porter JVM (read its output with peak_heap)."""
    jstat = os.path.join(cfg_java_home(), "bin", "jstat")
    p = subprocess.Popen([jstat, "-gc", str(pid), "200"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return p


def peak_heap(out):
    peak, cols = 0.0, None
    for line in out.splitlines():
        f = line.split()
        if not f:
            continue
        if f[0] == "S0C":
            cols = f
            continue
        if cols and len(f) == len(cols):
            try:   # the serial collector has no concurrent cycles: "-" in CGC and CGCT
                v = {c: float(x) for c, x in zip(cols, f) if c in ("S0U", "S1U", "EU", "OU")}
            except ValueError:
                continue
            peak = max(peak, (v["S0U"] + v["S1U"] + v["EU"] + v["OU"]) / 1024)
    return peak


def w_large(cfg, work, res):
    n, size = cfg.large, 10 * 1024 * 1024
    porter = Porter(work, "porter-large", users=["big@office.example"]).start()
    postfix = Postfix(work, "postfix-large", users=["big@office.example"])
    heaps, hwm = [], []
    try:
        def p_run(i):
            js = heap_sampler(porter.pid)
            t = smtp_source(porter.smtp, n, size, 4, "bench@elsewhere.example", "big@office.example")
            js.terminate()
            heaps.append(peak_heap(js.communicate(timeout=30)[0]))
            hwm.append(rss_mib(porter.pid, "VmHWM"))
            return n * size / 1e6 / t

        def f_run(i):
            before = postfix.count("big@office.example")
            t0 = time.monotonic()
            smtp_source(postfix.port, n, size, 4, "bench@elsewhere.example", "big@office.example")
            wait_for("Postfix's Maildir deliveries", lambda: postfix.count("big@office.example") >= before + n,
                     timeout=600, step=0.02)
            t1 = time.monotonic()
            return n * size / 1e6 / (t1 - t0)

        log("large: %d x 10 MiB over 4 sessions" % n)
        a, b = alternate(cfg.reps, p_run, f_run)
        res.add("2 large", "%d x 10 MiB, 4 sessions (Postfix: into the Maildir)" % n, "MB/s", a, b)
        res.add("2 large", "Porter's peak heap used (jstat)", "MiB", heaps, None, better="lower")
        res.add("2 large", "Porter's peak RSS (VmHWM)", "MiB", hwm, None, better="lower")
    finally:
        porter.stop()
        postfix.stop()
        shutil.rmtree(postfix.dir, ignore_errors=True)   # a GiB of Maildir
        shutil.rmtree(porter.dir, ignore_errors=True)


def pop3_figures(port, user, count):
    """RETR 1..count in one session: (msgs/s, MB/s); then login and STAT+LIST timed 20 times (medians, ms)."""
    p = poplib.POP3("127.0.0.1", port, timeout=120)
    p.user(user)
    p.pass_(PASSWORD)
    n, _ = p.stat()
    if n < count:
        raise RuntimeError("%s has %d messages, wanted %d" % (user, n, count))
    octets = 0
    t0 = time.monotonic()
    for i in range(1, count + 1):
        octets += p.retr(i)[2]
    t = time.monotonic() - t0
    p.quit()
    logins, stats = [], []
    for _ in range(20):
        t0 = time.monotonic()
        p = poplib.POP3("127.0.0.1", port, timeout=60)
        p.user(user)
        p.pass_(PASSWORD)
        t1 = time.monotonic()
        p.stat()
        p.list()
        t2 = time.monotonic()
        p.quit()
        logins.append((t1 - t0) * 1000)
        stats.append((t2 - t1) * 1000)
    return count / t, octets / 1e6 / t, statistics.median(logins), statistics.median(stats)


def login_ms(port, user):
    """One USER/PASS, ms."""
    p = poplib.POP3("127.0.0.1", port, timeout=60)
    t0 = time.monotonic()
    p.user(user)
    p.pass_(PASSWORD)
    t = (time.monotonic() - t0) * 1000
    p.quit()
    return t


def w_pop3(cfg, work, res):
    n, user = cfg.pop3, "pop@office.example"
    porter = Porter(work, "porter-pop3", users=[user]).start()
    postfix = Postfix(work, "postfix-pop3", users=[user])
    dovecot = None
    try:
        log("pop3: filling both mailboxes with %d x 10 KiB (smtp-source)" % n)
        smtp_source(porter.smtp, n, KIB10, 20, "bench@elsewhere.example", user, reuse=True)
        smtp_source(postfix.port, n, KIB10, 20, "bench@elsewhere.example", user, reuse=True)
        wait_for("Postfix's Maildir deliveries", lambda: postfix.count(user) >= n, timeout=600)
        dovecot = Dovecot(work, {"pop": postfix.maildir(user)})
        first = (login_ms(porter.pop3, user), login_ms(dovecot.port, "pop"))   # nothing cached yet: the hash
        log("pop3: warm-up, RETR all until the rate settles")
        least = -(-5000 // n)
        warm = warm_up(cfg, "Porter", lambda: pop3_figures(porter.pop3, user, n)[0], least, porter.pid)
        cold = (warm[0], warm_up(cfg, "Dovecot", lambda: pop3_figures(dovecot.port, "pop", n)[0], least)[0])
        log("pop3: RETR all, login, STAT+LIST")
        a, b = alternate(cfg.reps, lambda i: pop3_figures(porter.pop3, user, n),
                         lambda i: pop3_figures(dovecot.port, "pop", n))
        res.add("3 pop3", "RETR %d x 10 KiB, one session" % n, "msgs/s", [x[0] for x in a], [x[0] for x in b],
                target=">= 1.2x", note=warm.note)
        res.add("3 pop3", "  RETR, the first pass after start (cold)", "msgs/s", [cold[0]], [cold[1]])
        res.add("3 pop3", "RETR throughput", "MB/s", [x[1] for x in a], [x[1] for x in b])
        res.add("3 pop3", "login+STAT+LIST, %d messages" % n, "ms", [x[2] + x[3] for x in a],
                [x[2] + x[3] for x in b], better="lower", target="<= 1.0x")
        scheme = "Porter: PBKDF2 %d rounds, successful logins remembered; Dovecot: %s%s, verified each time" % (
            PBKDF2_ROUNDS, dovecot.scheme, " %d rounds" % PBKDF2_ROUNDS if dovecot.scheme == "PBKDF2" else "")
        res.add("3 pop3", "  of which USER/PASS (%s)" % scheme, "ms", [x[2] for x in a],
                [x[2] for x in b], better="lower")
        res.add("3 pop3", "  first USER/PASS after start (nothing cached: the hash itself)", "ms", [first[0]],
                [first[1]], better="lower")
        res.add("3 pop3", "  of which STAT+LIST", "ms", [x[3] for x in a], [x[3] for x in b], better="lower")
    finally:
        if dovecot:
            dovecot.stop()
        porter.stop()
        postfix.stop()


class Sinks:
    """k smtp-sink processes on loopback ports, counting the messages they accept (-c)."""

    def __init__(self, work, k):
        self.ports = [free_port() for _ in range(k)]
        self.files, self.procs = [], []
        for i, port in enumerate(self.ports):
            path = os.path.join(work, "sink%d.out" % i)
            self.files.append(path)
            self.procs.append(subprocess.Popen(["smtp-sink", "-c", "-u", "nobody", "127.0.0.1:%d" % port, "256"],
                                               stdout=open(path, "wb"), stderr=subprocess.STDOUT))
        for port in self.ports:
            wait_for("smtp-sink", lambda port=port: banner(port), timeout=30)

    def count(self):
        total = 0
        for path in self.files:
            with open(path, "rb") as f:
                f.seek(0, 2)
                f.seek(max(0, f.tell() - 80))
                m = re.findall(rb"mesg=(\d+)", f.read())
                total += int(m[-1]) if m else 0
        return total

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait(30)


def submit(port, n, domains):
    """n messages to user@<each domain in turn>, split over one smtp-source per domain (20 sessions in
    all for one domain, one session per domain for many), all at once; returns when all are accepted."""
    procs = []
    per = [n // len(domains) + (1 if i < n % len(domains) else 0) for i in range(len(domains))]
    sessions = 20 if len(domains) == 1 else 1
    for d, k in zip(domains, per):
        procs.append(subprocess.Popen(["smtp-source", "-s", str(sessions), "-m", str(k), "-l", str(KIB10), "-f",
                                       "alice@office.example", "-t", "friend@" + d, "127.0.0.1:%d" % port]))
    for p in procs:
        if p.wait(1800) != 0:
            raise RuntimeError("smtp-source failed")


def w_outbound(cfg, work, res):
    n = cfg.outbound
    for k in (1, 50):
        domains = ["dest%d.example" % i for i in range(k)]
        sdir = os.path.join(work, "sinks%d" % k)
        os.makedirs(sdir, exist_ok=True)
        sinks = Sinks(sdir, k)
        tmap = ",".join("%s=[127.0.0.1]:%d" % (d, p) for d, p in zip(domains, sinks.ports))
        porter = Porter(work, "porter-out%d" % k, settings=[("delivery.tls", "none"), ("delivery.transport-map", tmap)])
        porter.start()
        postfix = Postfix(work, "postfix-out%d" % k, extra=[
            "transport_maps=inline:{ %s }" % ", ".join("%s=smtp:[127.0.0.1]:%d" % (d, p)
                                                        for d, p in zip(domains, sinks.ports)),
            "smtp_tls_security_level=none", "virtual_mailbox_domains=", "smtpd_relay_restrictions=permit_mynetworks,reject",
            "smtp_connection_cache_on_demand=yes"])
        try:
            def one(port, i, name):
                """msgs/s; a server that has not delivered all within the deadline gets delivered/deadline
                (and a note), so that a stall shows in the table instead of hanging the run."""
                start = sinks.count()
                t0 = time.monotonic()
                submit(port, n, domains)
                deadline = t0 + cfg.outbound_deadline
                while sinks.count() < start + n and time.monotonic() < deadline:
                    time.sleep(0.02)
                done = sinks.count() - start
                if done < n:
                    stalls.append("%s delivered only %d of %d within %d s" % (name, done, n, cfg.outbound_deadline))
                    log(stalls[-1])
                return done / (time.monotonic() - t0)

            stalls = []
            log("outbound: warm-up to %d destination(s) until the rate settles" % k)
            least = -(-3000 // n)
            cold = (warm_up(cfg, "Porter", lambda: one(porter.smtp, -1, "Porter"), least, porter.pid),
                    warm_up(cfg, "Postfix", lambda: one(postfix.port, -1, "Postfix"), least))
            stalls.clear()   # the table's note is about the timed runs
            log("outbound: %d x 10 KiB to %d destination(s)" % (n, k))
            a, b = alternate(cfg.reps, lambda i: one(porter.smtp, i, "Porter"), lambda i: one(postfix.port, i, "Postfix"))
            res.add("4 outbound", "%d x 10 KiB to %d destination%s, submission to last delivery"
                    % (n, k, "s" if k > 1 else ""), "msgs/s", a, b, target=">= 1.5x",
                    note="; ".join(stalls + ([cold[0].note] if cold[0].note else [])))
            res.add("4 outbound", "  to %d destination%s, the first %d after start (cold)" % (k, "s" if k > 1 else "", n),
                    "msgs/s", [cold[0][0]], [cold[1][0]])
        finally:
            porter.stop()
            postfix.stop()
            sinks.stop()


def w_startup(cfg, work, res):
    porter = Porter(work, "porter-startup")
    times, idle = [], []
    try:
        for i in range(cfg.starts):
            porter.start()
            times.append(porter.startup)
            time.sleep(5)   # the idle figure is the RSS 5 s after the banner, by definition
            idle.append(rss_mib(porter.pid))
            porter.stop()
    finally:
        porter.stop()
    res.add("5 start-up", "./porter serve to the SMTP banner (%d starts)" % cfg.starts, "s", times, None,
            better="lower", target="<= 1.5 s")
    res.add("5 start-up", "idle RSS, 5 s after the banner", "MiB", idle, None, better="lower", target="<= 160 MiB")
    if getattr(cfg, "rss_after_ingest", None):
        res.add("5 start-up", "RSS after workload 1 (now / peak)", "MiB", [cfg.rss_after_ingest], None, better="lower",
                target="<= 256 MiB", note="peak %.0f MiB; Postfix's processes then: %.0f MiB"
                % (cfg.hwm_after_ingest, cfg.postfix_rss))


def w_scale(cfg, work, res):
    """Porter only: login+STAT+UIDL for a 10,000-message mailbox, alone in its store and in a store of
    cfg.scale messages (pop3's BenchServer fills the store once and keeps it in bench/.data)."""
    cache = os.path.join(ROOT, "bench", ".data")
    os.makedirs(cache, exist_ok=True)
    cp_file = os.path.join(cache, "cp.txt")
    log("scale: building pop3's test classes")
    subprocess.run(["mvn", "-o", "-q", "-B", "-pl", "pop3", "-am", "test-compile", "dependency:build-classpath",
                    "-Dmdep.outputFile=" + cp_file, "-Dmdep.includeScope=test"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    cp = ":".join([os.path.join(ROOT, "pop3/target/test-classes"), os.path.join(ROOT, "pop3/target/classes"),
                   os.path.join(ROOT, "mta-core/target/classes"), open(cp_file).read().strip()])
    java = os.path.join(cfg_java_home(), "bin", "java")
    figures = {}
    for total in (10_000, cfg.scale):
        data = os.path.join(cache, "scale-%d" % total)
        port = free_port()
        log("scale: store of %d messages (filled once, kept in %s)" % (total, data))
        p = subprocess.Popen([java, "-cp", cp, "-Dlogback.configurationFile=/dev/null",
                              "org.porter.pop3.bench.BenchServer", data, str(port), str(total)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 3600
            for line in p.stdout:
                if line.startswith("READY"):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("BenchServer did not get ready")
            else:
                raise RuntimeError("BenchServer exited %s" % p.wait())
            times = []
            for _ in range(22):
                t0 = time.monotonic()
                c = poplib.POP3("127.0.0.1", port, timeout=120)
                c.user("big@bench.example")
                c.pass_(PASSWORD)
                c.stat()
                c.uidl()
                c.quit()
                times.append((time.monotonic() - t0) * 1000)
            figures[total] = times[2:]
        finally:
            p.stdin.close()
            p.wait(120)
    res.add("6 scale", "login+STAT+UIDL, 10,000 messages: store of 10,000 vs %d" % cfg.scale, "ms",
            figures[cfg.scale], figures[10_000], better="lower", target="~1.0x",
            note="peer column = the same mailbox alone in its store")


def w_dial(cfg, work, res):
    n = cfg.dial
    log("dial: %d out + %d in x 10 KiB over the modem emulator (mvn test DialCycleEndToEndTest)" % (n, n))
    env = dict(os.environ, PORTER_BENCH_MESSAGES=str(n))
    subprocess.run(["mvn", "-o", "-q", "-B", "test", "-pl", "dialer", "-am", "-Dtest=DialCycleEndToEndTest",
                    "-Dsurefire.failIfNoSpecifiedTests=false"], check=True, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800)
    text = "".join(open(f).read() for f in glob.glob(os.path.join(
        ROOT, "dialer/target/surefire-reports/*DialCycleEndToEndTest-output.txt")))
    m = re.search(r"FIGURE dial cycle: .*?(\d+) s connected \(of which (\S+) s waiting.*?line minimum ([\d.]+) s", text)
    if not m:
        raise RuntimeError("no FIGURE line from DialCycleEndToEndTest")
    connected, idle, minimum = float(m.group(1)), m.group(2), float(m.group(3))
    res.add("7 dial", "%d out + %d in x 10 KiB: connected s (peer column: line minimum)" % (n, n), "s",
            [connected], [minimum], better="lower", target="<= 1.1 x min + 15 s",
            note="target here %.0f s; includes %s s waiting for the ISP to go idle; SMTP both ways over a paced"
                 " line (V.90: 53,000 bit/s down, 33,600 up, 60 ms one-way delay)" % (1.1 * minimum + 15, idle))


def cfg_java_home():
    return run(["bash", "-c", ". '%s/appliance/src/main/sh/find-jdk.sh'; porter_find_jdk" % ROOT]).stdout.strip()


WORKLOADS = {"ingest": w_ingest, "large": w_large, "pop3": w_pop3, "outbound": w_outbound,
             "startup": w_startup, "scale": w_scale, "dial": w_dial}
ORDER = ["ingest", "startup", "pop3", "outbound", "large", "scale", "dial"]   # startup after ingest: its RSS


# --------------------------------------------------------------------------------------------- Report

def fmt(v):
    if v is None:
        return "-"
    return "%.0f" % v if abs(v) >= 100 else "%.1f" % v if abs(v) >= 10 else "%.2f" % v


def table(res):
    lines = ["| Workload | Figure | Unit | Porter | Peer | Porter/peer | Target |",
             "|---|---|---|---:|---:|---:|---|"]
    for r in res.rows:
        p = statistics.median(r["porter"])
        q = statistics.median(r["peer"]) if r["peer"] else None
        ratio = "%.2fx" % (p / q) if q else "-"
        note = (" (%s)" % r["note"]) if r["note"] else ""
        lines.append("| %s | %s%s | %s | %s | %s | %s | %s |" % (r["workload"], r["metric"], note, r["unit"], fmt(p),
                                                               fmt(q), ratio, r["target"]))
    return "\n".join(lines)


def svg(res, path):
    """Horizontal bars: how many times better Porter is than its peer (> 1 = Porter ahead), log scale."""
    import math
    rows = [r for r in res.rows if r["peer"] and statistics.median(r["peer"]) > 0 and statistics.median(r["porter"]) > 0]
    w, left, bar, gap = 900, 430, 18, 8
    h = 60 + len(rows) * (bar + gap) + 30
    lo, hi = math.log(1 / 32), math.log(4)
    x = lambda v: left + (math.log(min(max(v, 1 / 32), 4)) - lo) / (hi - lo) * (w - left - 30)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">'
           % (w, h), '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="14" font-weight="bold">Porter vs Postfix/Dovecot: how many times better '
           '(medians; &gt; 1 = Porter ahead, log scale)</text>']
    for t in (1 / 32, 1 / 8, 0.25, 0.5, 1, 2, 4):
        out.append('<line x1="%.1f" y1="40" x2="%.1f" y2="%d" stroke="%s"/>' % (x(t), x(t), h - 25,
                                                                               "#000" if t == 1 else "#ddd"))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%sx</text>' % (x(t), h - 10,
                                                                           "1/%d" % round(1 / t) if t < 0.2 else "%g" % t))
    for i, r in enumerate(rows):
        p, q = statistics.median(r["porter"]), statistics.median(r["peer"])
        good = p / q if r["better"] == "higher" else q / p
        y = 45 + i * (bar + gap)
        label = ("%s: %s" % (r["workload"], r["metric"].strip()))[:62]
        out.append('<text x="10" y="%d">%s</text>' % (y + 13, label.replace("&", "&amp;").replace("<", "&lt;")))
        x0, x1 = sorted((x(1), x(good)))
        out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>'
                   % (x0, y, max(x1 - x0, 1), bar, "#2a7" if good >= 1 else "#c44"))
        out.append('<text x="%.1f" y="%d">%.2fx</text>' % (x1 + 4 if good >= 1 else x(1) + 4, y + 13, good))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def machine():
    cpu = ""
    with contextlib.suppress(OSError):
        m = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
        cpu = m.group(1) if m else ""
    mem = 0
    with contextlib.suppress(OSError):
        mem = int(re.search(r"MemTotal:\s*(\d+)", open("/proc/meminfo").read()).group(1)) // 1024
    disk = subprocess.run(["bash", "-c", "d=$(df --output=source /tmp | tail -1); n=$(basename \"$d\" | sed 's/[0-9]*$//');"
                                         " echo \"$d, $(cat /sys/block/$n/queue/rotational 2>/dev/null | sed 's/1/rotational/;s/0/not rotational/')\""],
                          stdout=subprocess.PIPE, text=True).stdout.strip()
    jdk = subprocess.run([os.path.join(cfg_java_home(), "bin", "java"), "-version"], stderr=subprocess.PIPE,
                         text=True).stderr.splitlines()
    postfix = subprocess.run(["postconf", "-d", "-h", "mail_version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    dovecot = subprocess.run(["dovecot", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip() \
        if shutil.which("dovecot") else "not installed"
    return [("Cores", "%d (%s)" % (os.cpu_count(), cpu)), ("Memory", "%d MiB" % mem), ("Disk (/tmp)", disk),
            ("JDK", "; ".join(jdk[:2])), ("Kernel", platform.release()),
            ("Postfix", postfix), ("Dovecot", dovecot)]


def profiles_section():
    """Links to what bench/profile last wrote into docs/profiles/ (flame graphs and their summaries)."""
    d = os.path.join(ROOT, "docs", "profiles")
    names = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".txt")) if os.path.isdir(d) else []
    if not names:
        return []
    lines = ["## Where the time goes (profiles)", "",
             "Written by `bench/profile` (async-profiler on the Porter side of each workload, the timed part only): "
             "per workload a summary of the top frames (self and total, by Porter / Derby / Netty / James / JDK) "
             "and flame graphs of CPU and of wall-clock time.", ""]
    for n in names:
        first = open(os.path.join(d, n + ".txt")).read().splitlines()[1:2]
        lines.append("- %s: [summary](profiles/%s.txt), [CPU flame graph](profiles/%s-cpu.html), "
                     "[wall-clock flame graph](profiles/%s-wall.html)%s" % (n, n, n, n, (" - " + first[0]) if first else ""))
    return lines + [""]


def write_doc(cfg, res, started, load0, load1, tbl):
    path = os.path.join(ROOT, "docs", "BENCHMARKS.md")
    lines = ["# Benchmarks", "",
             "Written by `bench/run%s` (do not edit by hand; README, Benchmarks, says how to run it)." % cfg.argline, "",
             "Date: %s UTC; %s run, %d repetition%s per workload, Porter and its peer alternated; medians."
             % (started.strftime("%Y-%m-%d %H:%M"), "quick" if cfg.quick else "full", cfg.reps,
                "s" if cfg.reps > 1 else ""),
             "Load average (1 min) before / after: %s / %s%s." % (load0, load1,
                                                                  " (the machine was shared with other work: "
                                                                  "read the ratios, not the absolute figures)"
                                                                  if float(load0) > 0.5 or float(load1) > 1.5 else ""),
             "", "| Machine | |", "|---|---|"]
    lines += ["| %s | %s |" % kv for kv in machine()]
    lines += ["", "Porter/peer is the ratio of the medians: above 1 is better for Porter in msgs/s and MB/s, "
              "below 1 is better in ms, s and MiB.", "", tbl, "", "![Porter/peer ratios](benchmarks.svg)", "",
              "## What each side has on disk before it answers", "",
              "- Porter: 250 after DATA once the message is committed to the mailbox tables (Derby, default "
              "durability: the transaction log is written and synced at each commit). No separate queue file "
              "for local mail.",
              "- Postfix %s: 250 after DATA once cleanup(8) has written and fsync()ed the queue file; "
              "virtual(8) then writes each message into the Maildir's tmp/, fsync()s it and renames it into "
              "new/ (the \"in the mailbox\" rows count new/)." % machine()[5][1],
              "- Dovecot: POP3 over the Maildir Postfix wrote, `mail_fsync = optimized` (its default: fsync when "
              "it changes mail; RETR changes none). Passwords in a passwd-file as `{SHA512-CRYPT}` (5,000 rounds, "
              "the scheme Dovecot recommends; `PORTER_BENCH_DOVECOT_SCHEME=PBKDF2` gives Porter's %d PBKDF2 "
              "rounds, `PLAIN` none), `auth_cache_size = 1M`: Dovecot's cache keeps the passdb lookup and "
              "verifies the hash at every login. Porter stores PBKDF2-HMAC-SHA256 with %d rounds and remembers a "
              "successful check for 10 minutes (keyed by an HMAC of address, stored hash and password: a wrong "
              "or changed password is always checked the slow way). The \"first USER/PASS\" row is the login "
              "before anything is cached: the hash itself." % (PBKDF2_ROUNDS, PBKDF2_ROUNDS), "",
              "## How each workload is run", "",
              "- All servers listen on 127.0.0.1 only, on ephemeral ports, each with a data folder of its own "
              "in a temporary folder; the clients are Postfix's `smtp-source` (one connection per message "
              "unless said), Python's `poplib`, and Postfix's `smtp-sink` as the receiving end.",
              "- Warm servers: before the timed repetitions of workloads 1, 3 and 4, each server does the same "
              "work untimed until it is warm (at least 5,000 messages for 1 and 3, 3,000 for 4; then until two "
              "runs in a row are within 10 %%; at most %d s). Porter runs on a JVM, whose JIT compiler turns the "
              "hot paths into machine code as they get hot: a method called once per message is compiled by C2 "
              "after 5,000-15,000 calls, and C2 has tens of seconds of work for Porter's paths (Derby's insert "
              "path alone takes over a second). Under full load on 2 cores its one C2 thread falls behind, and "
              "until it catches up the hot paths run in slower profiling code. So for Porter warm also means "
              "that its JIT compiler used at most 10 %% of a core during the last warm-up run, and between "
              "warm-up runs the bench waits until the compiler has drained its queue, as it does in the idle "
              "time a box has between bursts of mail (the JIT's share of each run is in the log). A mail "
              "server then runs for weeks. The first of those runs, straight after the start, is on the rows "
              "marked \"(cold)\". A quick run does not wait for the compiler (it would not finish in 5 minutes): "
              "where Porter's compiler was still busy, its row says \"not warm\"." % cfg.warm_budget,
              "- 4 outbound: one `smtp-source` per destination (20 sessions for one destination, one session "
              "each for 50), timed from the first submission to the last message counted by the sinks (one "
              "`smtp-sink` per destination). Both with their defaults for concurrency.",
              "- 5 start-up: `./porter serve` (the launcher, built already) until the SMTP banner answers.",
              "- 6 scale: pop3's `BenchServer` (test code) with a store filled once into `bench/.data`.",
              "- 7 dial: dialer's `DialCycleEndToEndTest` with `PORTER_BENCH_MESSAGES` messages of 10 KiB "
              "each way through the modem emulator and a real Postfix as the ISP; SMTP between the office and the "
              "ISP crosses a paced line (the test's `PacedLine`: 53,000 bit/s down, 33,600 up, 60 ms each way).", ""]
    lines += profiles_section()
    lines += ["## Every repetition", "", "| Figure | Porter | Peer |", "|---|---|---|"]
    for r in res.rows:
        lines.append("| %s: %s | %s | %s |" % (r["workload"], r["metric"].strip(), ", ".join(fmt(v) for v in r["porter"]),
                                              ", ".join(fmt(v) for v in r["peer"]) if r["peer"] else "-"))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    svg(res, os.path.join(ROOT, "docs", "benchmarks.svg"))
    return path


def main():
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller counts, fewer repetitions (under 5 minutes)")
    ap.add_argument("--only", action="append", choices=sorted(WORKLOADS), help="run this workload only (repeatable)")
    ap.add_argument("--reps", type=int, help="repetitions per workload (default 3, quick 1)")
    ap.add_argument("--no-doc", action="store_true", help="print the table only, leave docs/ as it is")
    cfg = ap.parse_args()
    cfg.argline = "".join(a for a in [" --quick" if cfg.quick else ""] + [" --only " + o for o in cfg.only or []])
    q = cfg.quick
    cfg.reps = cfg.reps or (1 if q else 3)
    cfg.ingest20, cfg.ingest1 = (1000, 200) if q else (5000, 5000)
    cfg.large = 10 if q else 100
    cfg.pop3 = 500 if q else 2000
    cfg.outbound = 300 if q else 5000
    cfg.outbound_deadline = 30 if q else 300
    cfg.warm_budget = 40 if q else 300   # JIT-aware: to 50 destinations Porter needed more than 180 s
    cfg.starts = 3 if q else 7
    cfg.scale = 100_000 if q else 1_000_000
    cfg.dial = 2 if q else 20
    chosen = cfg.only or [w for w in ORDER if not (q and w in ("scale", "dial"))]
    started = datetime.datetime.now(datetime.timezone.utc)
    load0 = open("/proc/loadavg").read().split()[0]
    work = tempfile.mkdtemp(prefix="porter-bench.")
    os.chmod(work, 0o755)   # Postfix's and Dovecot's users must enter it
    res = Results()
    failed = []
    try:
        for w in [w for w in ORDER if w in chosen]:
            t0 = time.monotonic()
            try:
                WORKLOADS[w](cfg, work, res)
            except Exception as e:   # one workload failing leaves the others' figures
                failed.append("%s: %s" % (w, e))
                log("workload %s FAILED: %s" % (w, e))
            log("%s took %.0f s" % (w, time.monotonic() - t0))
    finally:
        if os.environ.get("PORTER_BENCH_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            log("kept " + work)
    load1 = open("/proc/loadavg").read().split()[0]
    tbl = table(res)
    print(tbl)
    print("(medians of %d repetition(s); load average %s -> %s; %.0f s)"
          % (cfg.reps, load0, load1, (datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()))
    if not cfg.no_doc and res.rows:
        print("written: " + write_doc(cfg, res, started, load0, load1, tbl))
    for f in failed:
        print("FAILED " + f, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
