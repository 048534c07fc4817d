#!/usr/bin/python3
"""The peer a user would write by hand: a journey with Debian's python3-odoorpc.

Each of --concurrency threads logs in (/web/session/authenticate), then reads the user
(res.users.read over /web/dataset/call_kw) --reads times, timing each read with
time.perf_counter(). Modes:
  closed  every thread repeats its journey --rounds times, as fast as answers come back
  paced   every thread starts a journey every --interval seconds, for --seconds
  loop    every thread repeats its journey until --seconds have passed
With --stagger S, thread i starts i/concurrency of S seconds after the first.
Prints one JSON object: the read latencies in seconds and the steps done (logins and reads).
"""
import argparse
import json
import sys
import threading
import time

import odoorpc


def journey(args, latencies, counts, lock):
    odoo = odoorpc.ODOO(args.host, port=args.port, version=args.odoo_version, timeout=30)
    odoo.login(args.database, args.login, args.password)
    uid = odoo.env.uid
    mine = []
    for _ in range(args.reads):
        t = time.perf_counter()
        odoo.execute_kw("res.users", "read", [[uid]], {"fields": ["name"]})
        mine.append(time.perf_counter() - t)
    with lock:
        latencies.extend(mine)
        counts["steps"] += 1 + args.reads


def worker(args, index, latencies, counts, lock, start, deadline):
    # Staggered starts: the threads' calls spread over time, as a scheduler spreads journeys.
    time.sleep(index * args.stagger / max(args.concurrency, 1))
    if args.mode == "closed":
        for _ in range(args.rounds):
            journey(args, latencies, counts, lock)
        return
    tick = time.monotonic()
    while time.monotonic() < deadline:
        journey(args, latencies, counts, lock)
        if args.mode == "paced":
            tick += args.interval
            pause = tick - time.monotonic()
            if pause > 0:
                time.sleep(pause)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--database", default="probe")
    p.add_argument("--login", default="admin")
    p.add_argument("--password", default="admin")
    p.add_argument("--odoo-version", default="17.0")
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--reads", type=int, default=10)
    p.add_argument("--mode", choices=["closed", "paced", "loop"], default="closed")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--stagger", type=float, default=0.0,
                   help="thread i starts after i/concurrency of this many seconds")
    args = p.parse_args()

    latencies, counts, lock = [], {"steps": 0}, threading.Lock()
    start = time.monotonic()
    deadline = start + args.seconds
    threads = [
        threading.Thread(target=worker,
                         args=(args, i, latencies, counts, lock, start, deadline))
        for i in range(args.concurrency)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    json.dump({"latencies": latencies, "steps": counts["steps"],
               "seconds": time.monotonic() - start}, sys.stdout)


if __name__ == "__main__":
    main()
