#!/usr/bin/python3
"""odoo-prober's benchmarks against its peers, in one run, printed as one markdown table.

Started by bench/run (which installs the peers and builds Release); see bench/README.md.
Sections: measurement fidelity, cost, capacity, footprint. Every figure comes from this run.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")
ADDED_MS = 20.0  # the emulator's fixed delay on res.users.read (call_kw and execute_kw)
READ_BODY = json.dumps({
    "jsonrpc": "2.0", "method": "call", "id": 1,
    "params": {"service": "object", "method": "execute_kw",
               "args": ["probe", 2, "admin", "res.users", "read", [[2]], {"fields": ["name"]}]}})


# ---------------------------------------------------------------------------------------------
# Processes and /proc

def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def rss_mb(pid, key="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError(f"timed out waiting for {what}")


def http_get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Emulator:
    """The Odoo emulator (17.0 unless told) on loopback, with a fixed delay on res.users.read or
    none."""

    def __init__(self, build, workdir, name, added_ms, https=False, version=None):
        faults = os.path.join(workdir, f"{name}-faults.yaml")
        with open(faults, "w") as f:
            f.write(f"method_latency:\n  res.users.read: {int(added_ms)}ms\n" if added_ms else "{}\n")
        self.log_path = os.path.join(workdir, f"{name}.log")
        args = [os.path.join(build, "tests/emulator/odoo-emulator"), "--faults", faults]
        if version:
            args += ["--version", version]
        if https:
            self.pki = os.path.join(workdir, f"{name}-pki")
            args += ["--https", "--pki-dir", self.pki]
        self.proc = subprocess.Popen(args, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)
        scheme = "https" if https else "http"

        def port():
            with open(self.log_path) as f:
                m = re.search(scheme + r"://127\.0\.0\.1:(\d+)", f.read())
            if self.proc.poll() is not None:
                raise RuntimeError(f"the emulator stopped: see {self.log_path}")
            return m and int(m.group(1))
        self.port = wait_for(port, 30, "the emulator")
        # HTTPS by name, as the generated certificate has it.
        self.url = f"{scheme}://{'localhost' if https else '127.0.0.1'}:{self.port}"

    def close(self):
        stop(self.proc)


# ---------------------------------------------------------------------------------------------
# Statistics and Prometheus text

def quantile(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    pos = q * (len(v) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def metric_values(text, name):
    """Sum of every sample of `name` (any labels), by the `le` label when there is one."""
    out = {}
    pattern = re.compile(r"^" + re.escape(name) + r"(\{[^}]*\})? (\S+)$", re.M)
    for labels, value in pattern.findall(text):
        m = re.search(r'le="([^"]+)"', labels or "")
        key = m.group(1) if m else ""
        out[key] = out.get(key, 0.0) + float(value)
    return out


def histogram_quantile(before, after, q):
    """Prometheus' histogram_quantile over the bucket increments between two scrapes."""
    buckets = sorted(((float(le), after.get(le, 0) - before.get(le, 0)) for le in after),
                     key=lambda b: b[0])
    if not buckets or buckets[-1][1] <= 0:
        return float("nan")
    rank = q * buckets[-1][1]
    prev_le, prev_count = 0.0, 0.0
    for le, count in buckets:
        if count >= rank:
            if le == float("inf"):
                return prev_le
            return prev_le + (le - prev_le) * (rank - prev_count) / max(count - prev_count, 1e-9)
        prev_le, prev_count = le, count
    return prev_le


# ---------------------------------------------------------------------------------------------
# odoo-prober configurations

def write_journeys(folder, reads):
    os.makedirs(folder, exist_ok=True)
    steps = ["  - name: authenticate\n    authenticate: {}\n"]
    for i in range(1, reads + 1):
        steps.append(f"  - name: read_{i}\n"
                     f"    read: {{model: res.users, ids: [\"${{var.uid}}\"], fields: [name]}}\n")
    with open(os.path.join(folder, f"bench_read_{reads}.yaml"), "w") as f:
        f.write(f"name: bench_read_{reads}\ndescription: Log in, then read the user {reads} times.\n"
                "timeout: 60s\nsteps:\n" + "".join(steps))
    return f"bench_read_{reads}"


def write_config(workdir, name, emulator, targets, journey, interval="60s", concurrency=8,
                 admin_port=0, extra=""):
    path = os.path.join(workdir, f"{name}.yaml")
    os.makedirs(os.path.join(workdir, "journeys"), exist_ok=True)
    with open(os.path.join(workdir, "odoo-password"), "w") as f:
        f.write("admin")
    os.chmod(os.path.join(workdir, "odoo-password"), 0o600)
    tls = f"    tls: {{ca_file: {emulator.pki}/ca.pem}}\n" if emulator.url.startswith("https") else ""
    lines = [f"version: 1\ninstance: bench\nconcurrency: {concurrency}\nper_target_concurrency: 1\n"
             f"admin: {{listen: \"127.0.0.1:{admin_port}\"}}\n"
             f"journey_dirs: [{os.path.join(workdir, 'journeys')}]\n{extra}targets:\n"]
    for i in range(targets):
        lines.append(f"  - name: t{i:05d}\n    url: {emulator.url}\n    database: probe\n"
                     f"    protocol: jsonrpc\n    login: admin\n    password_file: odoo-password\n"
                     f"{tls}    labels: {{region: bench, plant: p{i % 10}, env: bench}}\n")
    lines.append(f"journeys:\n  - {{name: {journey}, interval: {interval}, timeout: {interval}}}\n")
    with open(path, "w") as f:
        f.write("".join(lines))
    return path


class Daemon:
    """odoo-prober run, with its admin server on a free port."""

    def __init__(self, build, config, workdir, name):
        self.port = free_port()
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [os.path.join(build, "runners/odoo-prober"), "--log-level", os.environ.get("BENCH_LOG", "error"), "run", config,
             "--listen", f"127.0.0.1:{self.port}", "--grace", "5"],
            stdout=subprocess.DEVNULL, stderr=open(self.log_path, "w"), cwd=workdir)
        self.base = f"http://127.0.0.1:{self.port}"

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"odoo-prober run stopped: see {self.log_path}")
            try:
                return http_get(self.base + "/readyz", timeout=1) is not None
            except OSError:
                return False
        wait_for(ready, 60, "odoo-prober's /readyz")
        self.ready_after = time.monotonic() - self.started

    def scrape(self):
        t = time.monotonic()
        body = http_get(self.base + "/metrics", timeout=30)
        return body.decode(), time.monotonic() - t, len(body)

    def timed_scrape(self, gzip=False):
        """A scrape by curl (a C client, as Prometheus' own reading is): (seconds, bytes on the
        wire). With `gzip`, asked as Prometheus asks (Accept-Encoding: gzip) and not inflated."""
        extra = ["-H", "Accept-Encoding: gzip"] if gzip else []
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{time_total} %{size_download}",
                              "--max-time", "60", *extra, self.base + "/metrics"],
                             capture_output=True, text=True, check=True).stdout.split()
        return float(out[0]), int(float(out[1]))

    def close(self):
        stop(self.proc)


# ---------------------------------------------------------------------------------------------
# The peers

class Blackbox:
    def __init__(self, workdir):
        config = os.path.join(workdir, "blackbox.yml")
        with open(config, "w") as f:
            f.write("modules:\n  odoo_read:\n    prober: http\n    timeout: 10s\n    http:\n"
                    "      method: POST\n      headers: {Content-Type: application/json}\n"
                    f"      body: '{READ_BODY}'\n      valid_status_codes: [200]\n"
                    "      fail_if_body_not_matches_regexp: ['\"result\"']\n"
                    "      preferred_ip_protocol: ip4\n")
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["prometheus-blackbox-exporter", f"--config.file={config}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(workdir, "blackbox.log"), "w"))

        def ready():
            try:
                return http_get(f"http://127.0.0.1:{self.port}/metrics", timeout=1) is not None
            except OSError:
                return False
        wait_for(ready, 30, "blackbox_exporter")

    def probe(self, target):
        body = http_get(f"http://127.0.0.1:{self.port}/probe?module=odoo_read&target={target}",
                        timeout=30).decode()
        ok = re.search(r"^probe_success (\S+)$", body, re.M)
        duration = re.search(r"^probe_duration_seconds (\S+)$", body, re.M)
        if not ok or float(ok.group(1)) != 1 or not duration:
            raise RuntimeError("blackbox_exporter's probe failed:\n" + body[:2000])
        return float(duration.group(1))

    def close(self):
        stop(self.proc)


def blackbox_probes(bb, target, concurrency, per_thread=None, seconds=None, rate=None,
                    stagger=0.0):
    """Probes through blackbox_exporter from `concurrency` threads: per_thread each, or for
    `seconds` (paced to `rate` probes/s in all when given); thread i starts i/concurrency of
    `stagger` seconds after the first. Returns the probe durations."""
    durations, lock = [], threading.Lock()
    deadline = time.monotonic() + stagger + (seconds or 0)

    def worker(index):
        time.sleep(index * stagger / concurrency)
        mine, n, tick = [], 0, time.monotonic()
        while (per_thread is not None and n < per_thread) or \
                (per_thread is None and time.monotonic() < deadline):
            mine.append(bb.probe(target))
            n += 1
            if rate:
                tick += concurrency / rate
                pause = tick - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
        with lock:
            durations.extend(mine)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return durations


def run_child(args, **kw):
    """Runs a command to its end: (exit code, wall seconds, CPU seconds of the child)."""
    t = time.monotonic()
    proc = subprocess.Popen(args, **kw)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.monotonic() - t, usage.ru_utime + usage.ru_stime


def odoorpc_measured(emulator, *args):
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    rc, wall, cpu = run_child(["/usr/bin/python3", os.path.join(HERE, "odoorpc_journey.py"),
                               "--port", str(emulator.port), *map(str, args)], stdout=out, stderr=err)
    if rc != 0:
        err.seek(0)
        raise RuntimeError("the odoorpc journey failed:\n" + err.read().decode()[-2000:])
    out.seek(0)
    return json.loads(out.read()), wall, cpu


def wrk_latencies(lua, url, connections, seconds):
    """wrk on the same JSON-RPC request: its median and p99 latency in ms, and requests/s."""
    w = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}",
                        f"-d{max(1, round(seconds))}s", "--latency", "-s", lua, url],
                       capture_output=True, text=True)
    if w.returncode != 0 or w.stderr.strip() or "Non-2xx" in w.stdout:
        raise RuntimeError("wrk failed:\n" + w.stdout + w.stderr)
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def percentile(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)$", w.stdout, re.M)
        return float(m.group(1)) * unit[m.group(2)]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", w.stdout).group(1))
    return {0.5: percentile(50), 0.99: percentile(99), "rate": rate}


# ---------------------------------------------------------------------------------------------
# The sections

class Bench:
    def __init__(self, args):
        self.args = args
        self.build = args.build_dir
        self.prober = os.path.join(self.build, "runners/odoo-prober")
        self.workdir = tempfile.mkdtemp(prefix="odoo-prober-bench-")
        self.rows = []  # (section, measure, prober, odoorpc, blackbox, wrk, target, verdict)

    def row(self, *cells):
        self.rows.append(cells)

    def prober_once(self, emulator, name, targets, journey, concurrency):
        """odoo-prober once over `targets` pairs: (results, wall, CPU seconds)."""
        config = write_config(self.workdir, name, emulator, targets, journey,
                              concurrency=concurrency)
        out = os.path.join(self.workdir, f"{name}.json")
        rc, wall, cpu = run_child([self.prober, "--log-level", "error", "once", config, "--json", out,
                                   "--concurrency", str(concurrency)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, cwd=self.workdir)
        with open(out) as f:
            results = json.load(f)
        if rc != 0:
            bad = [r for r in results if r.get("outcome") != "ok"][:1]
            raise RuntimeError(f"odoo-prober once failed (exit {rc}): {json.dumps(bad)[:2000]}")
        return results, wall, cpu

    @staticmethod
    def read_latencies(results):
        return [s["timings"]["total_seconds"] for r in results for s in r["steps"]
                if s["name"].startswith("read_")]

    def fidelity(self, emu):
        """Step latency minus the emulator's 20 ms, at 1 and 64 journeys at a time. Every tool
        spreads its journeys over time (odoo-prober's scheduler does; the peers' threads start
        staggered), none starts them in lockstep. wrk on the same request is the floor: the
        emulator's own time past its 20 ms (timer wake-up, JSON) and loopback."""
        a = self.args
        journey = write_journeys(os.path.join(self.workdir, "journeys"), a.reads)
        target = emu.url + "/jsonrpc"
        lua = self.wrk_script()
        bb = Blackbox(self.workdir)
        try:
            for c in (1, 64):
                prober = self.daemon_read_latencies(emu, f"fidelity-{c}", c, journey)
                py, _, _ = odoorpc_measured(emu, "--concurrency", c, "--reads", a.reads, "--mode",
                                            "loop", "--seconds", a.fidelity_seconds,
                                            "--stagger", 1)
                bbx = blackbox_probes(bb, target, c, seconds=a.fidelity_seconds, stagger=1)
                floor = wrk_latencies(lua, target, c, a.fidelity_seconds)
                for q, label, goal in ((0.5, "median", 0.3), (0.99, "p99", 2.0)):
                    over = [quantile(v, q) * 1000 - ADDED_MS for v in (prober, py["latencies"], bbx)]
                    wrk_over = floor[q] - ADDED_MS
                    ok = over[0] <= goal and over[0] < over[1] and over[0] < over[2]
                    self.row("fidelity", f"{label} overhead at {c} concurrent, ms "
                             f"(n={len(prober)}/{len(py['latencies'])}/{len(bbx)})",
                             f"{over[0]:.2f}", f"{over[1]:.2f}", f"{over[2]:.2f}",
                             f"{wrk_over:.2f} (floor)", f"≤ {goal} and below both",
                             "met" if ok else "NOT met")
        finally:
            bb.close()

    def daemon_read_latencies(self, emu, name, pairs, journey):
        """odoo-prober run with `pairs` pairs of `journey` every second for fidelity_seconds:
        the latencies of its read steps, from its JSON-lines results."""
        results = os.path.join(self.workdir, f"{name}.jsonl")
        config = write_config(self.workdir, name, emu, pairs, journey, interval="1s",
                              concurrency=pairs, extra=f"results: {{jsonl: {results}}}\n")
        d = Daemon(self.build, config, self.workdir, name)
        try:
            time.sleep(self.args.fidelity_seconds)
        finally:
            d.close()
        latencies = []
        with open(results) as f:
            for line in f:
                r = json.loads(line)
                if r["outcome"] != "ok":
                    raise RuntimeError(f"odoo-prober's run failed: {line[:2000]}")
                latencies += self.read_latencies([r])
        return latencies

    def wrk_script(self):
        lua = os.path.join(self.workdir, "post.lua")
        with open(lua, "w") as f:
            f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                    f"wrk.body = [=[{READ_BODY}]=]\n")  # [[2]] would end a [[ string
        return lua

    def cost(self, slow_emu, fast_emu):
        a = self.args
        # Throughput: 64 at a time, as fast as the emulator answers (no added delay).
        many = write_journeys(os.path.join(self.workdir, "journeys"), a.throughput_reads)
        results, wall, cpu = self.prober_once(fast_emu, "throughput", 64, many, 64)
        p_steps = sum(len(r["steps"]) for r in results)
        py, py_wall, py_cpu = odoorpc_measured(fast_emu, "--concurrency", 64, "--reads",
                                               a.throughput_reads, "--mode", "closed")
        bb = Blackbox(self.workdir)
        try:
            before = cpu_seconds(bb.proc.pid)
            t = time.monotonic()
            probes = blackbox_probes(bb, fast_emu.url + "/jsonrpc", 64, seconds=a.throughput_seconds)
            bb_wall, bb_cpu = time.monotonic() - t, cpu_seconds(bb.proc.pid) - before
        finally:
            bb.close()
        wrk_rate = wrk_latencies(self.wrk_script(), fast_emu.url + "/jsonrpc", 64,
                                 a.throughput_seconds)["rate"]
        rates = (p_steps / wall, py["steps"] / py_wall, len(probes) / bb_wall)
        self.row("cost", "RPC steps per second, 64 at a time, no added delay",
                 f"{rates[0]:,.0f}", f"{rates[1]:,.0f}", f"{rates[2]:,.0f}", f"{wrk_rate:,.0f}",
                 "≥ 3,000", "met" if rates[0] >= 3000 else "NOT met")

        # CPU per 1,000 steps at a fixed offered rate, 20 ms on every read.
        pairs, reads = a.rate // 10, 9
        journey = write_journeys(os.path.join(self.workdir, "journeys"), reads)
        config = write_config(self.workdir, "rate", slow_emu, pairs, journey, interval="1s",
                              concurrency=max(8, pairs))
        d = Daemon(self.build, config, self.workdir, "rate-daemon")
        try:
            time.sleep(a.rate_seconds / 4)  # warm-up: every pair has started once
            text0, _, _ = d.scrape()
            c0, t0 = cpu_seconds(d.proc.pid), time.monotonic()
            time.sleep(a.rate_seconds)
            text1, _, _ = d.scrape()
            p_cpu = cpu_seconds(d.proc.pid) - c0
            runs = (metric_values(text1, "odoo_prober_journey_runs_total").get("", 0) -
                    metric_values(text0, "odoo_prober_journey_runs_total").get("", 0))
            p_steps = runs * (reads + 1)
            p_rate = p_steps / (time.monotonic() - t0)
        finally:
            d.close()
        py, py_wall, py_cpu = odoorpc_measured(slow_emu, "--concurrency", pairs, "--reads", reads,
                                               "--mode", "paced", "--interval", 1,
                                               "--seconds", a.rate_seconds)
        bb = Blackbox(self.workdir)
        try:
            before = cpu_seconds(bb.proc.pid)
            probes = blackbox_probes(bb, slow_emu.url + "/jsonrpc", pairs, seconds=a.rate_seconds,
                                     rate=a.rate)
            bb_cpu = cpu_seconds(bb.proc.pid) - before
        finally:
            bb.close()
        per_k = (1000 * p_cpu / max(p_steps, 1), 1000 * py_cpu / max(py["steps"], 1),
                 1000 * bb_cpu / max(len(probes), 1))
        ok = per_k[0] <= per_k[1] / 5 and per_k[0] <= per_k[2]
        self.row("cost", f"CPU seconds per 1,000 steps at {a.rate} steps/s offered "
                 f"(odoo-prober did {p_rate:,.0f}/s)", f"{per_k[0]:.3f}",
                 f"{per_k[1]:.3f} ({per_k[1] / max(per_k[0], 1e-9):.1f}×)",
                 f"{per_k[2]:.3f} ({per_k[2] / max(per_k[0], 1e-9):.1f}×)", "",
                 "≤ 1/5 of odoorpc, ≤ blackbox", "met" if ok else "NOT met")

    def capacity(self, emu):
        a = self.args
        best, at_goal = None, None
        for pairs in a.pairs:
            config = write_config(self.workdir, f"capacity-{pairs}", emu, pairs, "login",
                                  interval=f"{a.capacity_interval}s", concurrency=8)
            d = Daemon(self.build, config, self.workdir, f"capacity-{pairs}")
            try:
                time.sleep(a.capacity_warmup)
                text0, _, _ = d.scrape()
                c0, t0 = cpu_seconds(d.proc.pid), time.monotonic()
                time.sleep(a.capacity_interval)
                cpu = 100 * (cpu_seconds(d.proc.pid) - c0) / (time.monotonic() - t0)
                text1, _, _ = d.scrape()
                scrape_s, scrape_bytes = d.timed_scrape()
                rss, hwm = rss_mb(d.proc.pid), rss_mb(d.proc.pid, "VmHWM")
                gzip_s, gzip_bytes = d.timed_scrape(gzip=True)
            finally:
                d.close()
            lag0 = metric_values(text0, "odoo_prober_scheduler_lag_seconds_bucket")
            lag1 = metric_values(text1, "odoo_prober_scheduler_lag_seconds_bucket")
            p50, p99 = (histogram_quantile(lag0, lag1, q) * 1000 for q in (0.5, 0.99))
            runs = (metric_values(text1, "odoo_prober_journey_runs_total").get("", 0) -
                    metric_values(text0, "odoo_prober_journey_runs_total").get("", 0))
            fails = metric_values(text1, "odoo_prober_journey_failures_total").get("", 0)
            drops = metric_values(text1, "odoo_prober_sink_dropped_total").get("", 0)
            series = sum(1 for line in text1.splitlines() if line and not line.startswith("#"))
            holds = p99 <= 50 and cpu < 180
            self.row("capacity", f"{pairs:,} login pairs every {a.capacity_interval} s over HTTPS: "
                     "lag p50 / p99 ms; RSS (peak) MB; CPU %; runs, failures, sink drops; "
                     "/metrics MB, series, ms (curl)",
                     f"{p50:.1f} / {p99:.1f}; {rss:.0f} ({hwm:.0f}); {cpu:.0f} %; {runs:.0f}, "
                     f"{fails:.0f}, {drops:.0f}; {scrape_bytes / 1e6:.1f}, {series:,}, "
                     f"{scrape_s * 1000:.0f}", "", "", "", "lag p99 ≤ 50 ms, CPU not saturated",
                     "holds" if holds else "does not hold")
            if pairs <= 5000 or at_goal is None:
                at_goal = (pairs, rss, hwm, scrape_bytes, scrape_s, gzip_bytes, gzip_s)
            if not holds:
                break
            best = pairs
        self.row("capacity", "largest step that holds", f"{best:,}" if best else "none", "", "", "",
                 "≥ 5,000", "met" if best and best >= 5000 else "NOT met")
        pairs, rss, hwm, size, seconds, gzip_size, gzip_seconds = at_goal
        self.row("capacity", f"at {pairs:,} pairs: RSS at the end (peak, at start-up), MB",
                 f"{rss:.0f} ({hwm:.0f})", "", "", "", "≤ 64", "met" if rss <= 64 else "NOT met")
        self.row("capacity", f"at {pairs:,} pairs: a /metrics scrape, MB and ms",
                 f"{size / 1e6:.1f} MB, {seconds * 1000:.0f} ms", "", "", "", "≤ 10 MB, ≤ 200 ms",
                 "met" if size <= 10e6 and seconds <= 0.2 else "NOT met")
        self.row("capacity", f"at {pairs:,} pairs: a gzip /metrics scrape (as Prometheus asks), "
                 "MB on the wire and ms", f"{gzip_size / 1e6:.2f} MB, {gzip_seconds * 1000:.0f} ms",
                 "", "", "", "≤ 3 MB", "met" if gzip_size <= 3e6 else "NOT met")

    def footprint(self):
        a = self.args
        emu = Emulator(self.build, self.workdir, "footprint-emulator", 0, https=True)
        try:
            # The demo's configuration: the five built-in journeys, every 15 s, both sinks.
            config = os.path.join(self.workdir, "demo.yaml")
            with open(os.path.join(self.workdir, "odoo-password"), "w") as f:
                f.write("admin")
            with open(config, "w") as f:
                f.write(f"version: 1\ninstance: demo\nresults: {{jsonl: demo.jsonl, sqlite: demo.db}}\n"
                        f"targets:\n  - name: demo-plant\n    url: https://localhost:{emu.port}\n"
                        "    database: probe\n    protocol: auto\n    login: admin\n"
                        f"    password_file: odoo-password\n    tls: {{ca_file: {emu.pki}/ca.pem}}\n"
                        "    labels: {region: local, plant: demo}\njourneys:\n" +
                        "".join(f"  - {{name: {j}, interval: 15s, timeout: 15s}}\n" for j in (
                            "login", "sales_order_confirmation", "goods_receipt",
                            "work_order_release", "invoice_validation")))
            d = Daemon(self.build, config, self.workdir, "footprint")
            bb = Blackbox(self.workdir)
            try:
                time.sleep(a.idle_seconds / 2)
                c0, t0 = cpu_seconds(d.proc.pid), time.monotonic()
                time.sleep(a.idle_seconds)
                cpu = 100 * (cpu_seconds(d.proc.pid) - c0) / (time.monotonic() - t0)
                rss, bb_rss = rss_mb(d.proc.pid), rss_mb(bb.proc.pid)
                anon, bb_anon = rss_mb(d.proc.pid, "RssAnon"), rss_mb(bb.proc.pid, "RssAnon")
            finally:
                bb.close()
                d.close()
        finally:
            emu.close()
        self.row("footprint", "RSS (of which anonymous) with the demo config (5 journeys every "
                 "15 s), MB; blackbox idle", f"{rss:.1f} ({anon:.1f})", "",
                 f"{bb_rss:.1f} ({bb_anon:.1f}); {rss / bb_rss:.2f}×", "",
                 "≤ 2/3 of blackbox's", "met" if rss <= bb_rss * 2 / 3 else "NOT met")
        self.row("footprint", "CPU with the demo config, % of a core", f"{cpu:.2f}", "", "", "",
                 "≤ 0.5 %", "met" if cpu <= 0.5 else "NOT met")
        self.row("footprint", "start-up to /readyz, ms", f"{d.ready_after * 1000:.0f}", "", "", "",
                 "< 1,000", "met" if d.ready_after < 1 else "NOT met")

    def run(self):
        a = self.args
        sections = a.sections.split(",")
        started = time.monotonic()
        slow = Emulator(self.build, self.workdir, "emulator-20ms", ADDED_MS)
        fast = Emulator(self.build, self.workdir, "emulator", 0)
        tls = Emulator(self.build, self.workdir, "emulator-https", 0, https=True)
        try:
            if "fidelity" in sections:
                log("fidelity")
                self.fidelity(slow)
            if "cost" in sections:
                log("cost")
                self.cost(slow, fast)
            if "capacity" in sections:
                log("capacity")
                self.capacity(tls)
        finally:
            for e in (slow, fast, tls):
                e.close()
        if "footprint" in sections:
            log("footprint")
            self.footprint()
        self.print_table(time.monotonic() - started)

    def print_table(self, seconds):
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip() or "unknown"
        cpu_model = ""
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            cpu_model = m.group(1) if m else platform.machine()
        print(f"odoo-prober bench, {datetime.date.today()}, commit {commit}, "
              f"{os.cpu_count()} cores ({cpu_model}), {platform.platform()}, "
              f"{'smoke' if self.args.smoke else 'full'} run in {seconds:.0f} s\n")
        print("| section | measure | odoo-prober | python3-odoorpc | blackbox_exporter | wrk | "
              "target | verdict |")
        print("|---|---|---|---|---|---|---|---|")
        for r in self.rows:
            print("| " + " | ".join(r) + " |")


def main():
    p = argparse.ArgumentParser(description="odoo-prober against its peers: one markdown table.")
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    p.add_argument("--smoke", action="store_true",
                   help="a short run (about 20 s) that prints the same table; no figure is meant")
    p.add_argument("--sections", default="fidelity,cost,capacity,footprint")
    p.add_argument("--pairs", default="1000,2000,3000,5000,7500,10000,15000,20000")
    a = p.parse_args()
    a.pairs = [int(x) for x in a.pairs.split(",")]
    a.build_dir = os.path.abspath(a.build_dir)  # the daemons run in the work folder
    a.reads, a.fidelity_seconds = 40, 10
    a.throughput_reads, a.throughput_seconds = 50, 10
    a.rate, a.rate_seconds = 250, 20
    a.capacity_interval, a.capacity_warmup = 60, 10
    a.idle_seconds = 20
    if a.smoke:
        a.pairs = [50]
        a.reads, a.fidelity_seconds = 10, 2
        a.throughput_reads, a.throughput_seconds = 5, 1
        a.rate, a.rate_seconds = 50, 2
        a.capacity_interval, a.capacity_warmup = 3, 1
        a.idle_seconds = 2
    bench = Bench(a)
    try:
        bench.run()
    finally:
        shutil.rmtree(bench.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
