#!/usr/bin/python3
"""The soak: odoo-prober run against mixed faults for a set time; RSS and fds must stay flat.

Started by bench/soak (which builds Release). Two emulators over HTTPS, one healthy and one
throwing every fault the fault matrix knows at random (503s, resets, hangs past the timeout,
malformed and truncated answers, answers over the size cap, Odoo errors, UserErrors, sessions
expiring), plus a target where nothing listens; the daemon runs the shipped journeys on all of
them every few seconds, writing JSON lines (rotated) and SQLite, while this script scrapes
/metrics and /status and samples the daemon's RSS and open file descriptors. After the warm-up,
the median RSS of the last quarter must not exceed that of the first by 2 MB or more, and the
median of open file descriptors must not rise by more than 2 (connections in flight come and go).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402  (the helpers of bench/run.py)

FAULTS = """\
latency: {min: 5ms, max: 40ms}
session_expiry_after: 9
oversized_bytes: 2097152
seed: 7
rules:
  - {match: "*", kind: http_503, rate: 0.04}
  - {match: "*", kind: reset, rate: 0.03}
  - {match: "*", kind: hang, rate: 0.01}
  - {match: "*", kind: malformed_json, rate: 0.03}
  - {match: "*", kind: truncated, rate: 0.03}
  - {match: "*", kind: oversized, rate: 0.01}
  - {match: "*", kind: odoo_error, rate: 0.03}
  - {match: sale.order.action_confirm, kind: user_error, rate: 0.2}
"""

JOURNEYS = ["login", "sales_order_confirmation", "goods_receipt", "invoice_validation",
            "work_order_release"]


def duration(text):
    units = {"s": 1, "m": 60, "h": 3600}
    if text and text[-1] in units and text[:-1].isdigit():
        return int(text[:-1]) * units[text[-1]]
    raise argparse.ArgumentTypeError(f"{text}: give a duration like 90s, 10m or 1h")


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build-dir", required=True)
    p.add_argument("--duration", type=duration, default="10m")
    p.add_argument("--sample", type=duration, default="10s")
    p.add_argument("--warmup", type=duration, default="2m")
    a = p.parse_args()
    if a.warmup >= a.duration:
        p.error("--warmup must be shorter than --duration")
    work = tempfile.mkdtemp(prefix="odoo-prober-soak-")
    emulators, daemon = [], None
    try:
        healthy = bench.Emulator(a.build_dir, work, "healthy", 0, https=True)
        emulators.append(healthy)
        faulty = FaultyEmulator(a.build_dir, work)
        emulators.append(faulty)
        with open(os.path.join(work, "odoo-password"), "w") as f:
            f.write("admin")
        os.chmod(os.path.join(work, "odoo-password"), 0o600)
        targets = [("healthy", healthy), ("faulty", faulty)]
        lines = ["version: 1\ninstance: soak\nconcurrency: 8\nper_target_concurrency: 4\n",
                 "admin: {listen: \"127.0.0.1:0\"}\n",
                 "results: {jsonl: results.jsonl, jsonl_max_bytes: 4MiB, jsonl_keep: 1, "
                 "sqlite: history.db}\n",
                 "defaults: {timeout: 2s, max_response_bytes: 1MiB}\ntargets:\n"]
        for name, emu in targets:
            lines.append(f"  - {{name: {name}, url: {emu.url}, database: probe, login: admin, "
                         f"password_file: odoo-password, protocol: web, "
                         f"tls: {{ca_file: {emu.pki}/ca.pem}}, labels: {{region: soak, plant: p}}}}\n")
        lines.append(f"  - {{name: down, url: https://127.0.0.1:{bench.free_port()}, database: probe, "
                     "login: admin, password_file: odoo-password}\n")
        lines.append("journeys:\n")
        for j in JOURNEYS:
            lines.append(f"  - {{name: {j}, interval: 5s, timeout: 5s}}\n")
        config = os.path.join(work, "soak.yaml")
        with open(config, "w") as f:
            f.write("".join(lines))
        daemon = bench.Daemon(a.build_dir, config, work, "daemon")
        pid = daemon.proc.pid
        start = time.monotonic()
        samples = []  # (seconds, rss MB, fds, runs)
        bench.log(f"soak: {a.duration} s, sampling every {a.sample} s, warm-up {a.warmup} s")
        while True:
            now = time.monotonic() - start
            text, _, _ = daemon.scrape()
            bench.http_get(daemon.base + "/status", timeout=30)
            runs = bench.metric_values(text, "odoo_prober_journey_runs_total").get("", 0)
            samples.append((now, bench.rss_mb(pid), fds(pid), runs))
            if now >= a.duration:
                break
            time.sleep(min(a.sample, max(0.0, a.duration - now)))
        failures = bench.metric_values(text, "odoo_prober_journey_failures_total").get("", 0)
        drops = bench.metric_values(text, "odoo_prober_sink_dropped_total").get("", 0)
    finally:
        if daemon:
            daemon.close()
        for e in emulators:
            e.close()
        shutil.rmtree(work, ignore_errors=True)

    after = [s for s in samples if s[0] >= a.warmup]
    before = [s for s in samples if s[0] < a.warmup]
    quarter = max(1, len(after) // 4)
    rss_first = statistics.median(s[1] for s in after[:quarter])
    rss_last = statistics.median(s[1] for s in after[-quarter:])
    growth = rss_last - rss_first
    # Open connections come and go with the runs in flight, so the median depends on which moment
    # of the 5 s schedule the samples catch (and that drifts). A leaked descriptor is never
    # closed: it raises the floor, the fewest fds open in a quarter.
    fd_first = statistics.median(s[2] for s in after[:quarter])
    fd_last = statistics.median(s[2] for s in after[-quarter:])
    floor_first = min(s[2] for s in after[:quarter])
    floor_last = min(s[2] for s in after[-quarter:])
    print(f"| minute | RSS MB | open fds | runs |\n|---:|---:|---:|---:|")
    minute = -1
    for t, rss, fd, runs in samples:
        if int(t // 60) != minute or (t, rss, fd, runs) == samples[-1]:
            minute = int(t // 60)
            print(f"| {t / 60:.1f} | {rss:.1f} | {fd} | {runs:.0f} |")
    print()
    print(f"runs {samples[-1][3]:.0f}, failures {failures:.0f} (faults injected), sink drops {drops:.0f}")
    print(f"RSS after warm-up: first quarter median {rss_first:.2f} MB, last quarter median "
          f"{rss_last:.2f} MB, growth {growth:+.2f} MB (limit < 2 MB); peak "
          f"{max(s[1] for s in samples):.1f} MB")
    print(f"open fds after warm-up: floor (fewest open) first quarter {floor_first}, last quarter "
          f"{floor_last} (limit: no rise); medians {fd_first:.0f} and {fd_last:.0f}, range "
          f"{min(s[2] for s in after)}-{max(s[2] for s in after)}; during warm-up "
          f"{min(s[2] for s in before or after)}-{max(s[2] for s in before or after)}")
    flat = growth < 2.0 and floor_last <= floor_first
    print("verdict: " + ("flat" if flat else "NOT flat"))
    return 0 if flat else 1


class FaultyEmulator(bench.Emulator):
    """The emulator (17.0, HTTPS) with the soak's faults."""

    def __init__(self, build, workdir):
        faults = os.path.join(workdir, "faulty-faults.yaml")
        with open(faults, "w") as f:
            f.write(FAULTS)
        self.pki = os.path.join(workdir, "faulty-pki")
        self.log_path = os.path.join(workdir, "faulty.log")
        self.proc = subprocess.Popen(
            [os.path.join(build, "tests/emulator/odoo-emulator"), "--faults", faults, "--https",
             "--pki-dir", self.pki],
            stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT)

        def port():
            if self.proc.poll() is not None:
                raise RuntimeError(f"the emulator stopped: see {self.log_path}")
            with open(self.log_path) as f:
                m = re.search(r"https://127\.0\.0\.1:(\d+)", f.read())
            return m and int(m.group(1))
        self.port = bench.wait_for(port, 30, "the faulty emulator")
        self.url = f"https://localhost:{self.port}"


if __name__ == "__main__":
    sys.exit(main())
