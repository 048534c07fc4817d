#!/usr/bin/python3
"""The daemon at its cadence: the five shipped journeys, run after run, leave no trace.

Started by bench/cadence (which builds Release). One emulator over HTTPS (18.0 unless told) with
the probe master data `provision` creates, and a customer's delivery of a storable product waiting
for goods, as a real warehouse has them. `odoo-prober run` runs the five shipped journeys on their
defaults every --interval (60 s) for --duration (5 minutes). Then it checks what a user would:
every run ok with every record cleaned up, no leftover record (the daemon's gauge and the
emulator's open probe records), the stock of every quant (on hand and reserved) as it was, and
the waiting delivery still waiting (no probe goods went to it). Exit 1 when any of it fails.
"""
import argparse
import json
import os
import shutil
import ssl
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402  (the helpers of bench/run.py)
from soak import duration  # noqa: E402

JOURNEYS = ["login", "sales_order_confirmation", "goods_receipt", "work_order_release",
            "invoice_validation"]


class Odoo:
    """execute_kw on the emulator's /jsonrpc, as its user 2 with the password admin."""

    def __init__(self, emulator):
        self.url = emulator.url
        self.tls = ssl.create_default_context(cafile=os.path.join(emulator.pki, "ca.pem"))

    def call(self, model, method, args, kwargs=None):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute_kw",
            "args": ["probe", 2, "admin", model, method, args, kwargs or {}]}}).encode()
        req = urllib.request.Request(self.url + "/jsonrpc", body,
                                     {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30, context=self.tls) as r:
            answer = json.load(r)
        if "error" in answer:
            raise RuntimeError(f"{model}.{method}: {answer['error']}")
        return answer.get("result")

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=30, context=self.tls) as r:
            return json.load(r)

    def stock(self):
        quants = self.call("stock.quant", "search_read", [[["location_id.usage", "=", "internal"]]],
                           {"fields": ["product_id", "quantity", "reserved_quantity"]})
        return {q["id"]: (q["product_id"][1], q["quantity"], q["reserved_quantity"]) for q in quants}

    def waiting_delivery(self):
        """A customer's order of a storable product for 3 more than its free stock."""
        product = self.call("product.product", "search_read", [[["default_code", "=", "FURN_7777"]]],
                            {"fields": ["id"]})[0]["id"]
        customer = self.call("res.partner", "search_read", [[["ref", "=", "DECO"]]],
                             {"fields": ["id"]})[0]["id"]
        free = sum(q[1] - q[2] for q in self.stock().values() if q[0].startswith("[FURN_7777]"))
        order = self.call("sale.order", "create", [{"partner_id": customer, "order_line": [
            [0, 0, {"product_id": product, "product_uom_qty": free + 3}]]}])
        self.call("sale.order", "action_confirm", [[order]])
        return self.call("sale.order", "read", [[order], ["picking_ids"]])[0]["picking_ids"][0]

    def state(self, picking):
        return self.call("stock.picking", "read", [[picking], ["state"]])[0]["state"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build-dir", required=True)
    p.add_argument("--interval", type=duration, default="60s")
    p.add_argument("--duration", type=duration, default="5m")
    p.add_argument("--version", default="18.0")
    a = p.parse_args()
    if a.interval > a.duration:
        p.error("--interval must not be longer than --duration")
    work = tempfile.mkdtemp(prefix="odoo-prober-cadence-")
    emulator = daemon = None
    try:
        emulator = bench.Emulator(a.build_dir, work, "odoo", 0, https=True, version=a.version)
        odoo = Odoo(emulator)
        delivery = odoo.waiting_delivery()
        delivery_state = odoo.state(delivery)
        stock_before = odoo.stock()
        with open(os.path.join(work, "odoo-password"), "w") as f:
            f.write("admin")
        os.chmod(os.path.join(work, "odoo-password"), 0o600)
        timeout = min(a.interval, 60)
        config = os.path.join(work, "cadence.yaml")
        with open(config, "w") as f:
            f.write("version: 1\ninstance: cadence\nadmin: {listen: \"127.0.0.1:0\"}\n"
                    "results: {jsonl: results.jsonl}\ntargets:\n"
                    f"  - {{name: plant, url: {emulator.url}, database: probe, login: admin, "
                    f"password_file: odoo-password, tls: {{ca_file: {emulator.pki}/ca.pem}}, "
                    "labels: {region: bench, plant: p}}\njourneys:\n")
            for j in JOURNEYS:
                f.write(f"  - {{name: {j}, interval: {a.interval}s, timeout: {timeout}s}}\n")
        bench.log(f"cadence: {', '.join(JOURNEYS)} every {a.interval} s for {a.duration} s on "
                  f"{a.version}; a delivery waits for FURN_7777 ({delivery_state})")
        daemon = bench.Daemon(a.build_dir, config, work, "daemon")
        time.sleep(a.duration)  # a benchmark's length, not a synchronisation
        text, _, _ = daemon.scrape()
        leftovers = bench.metric_values(text, "odoo_prober_leftover_records").get("", 0)
        daemon.close()
        daemon = None
        runs = {}
        for line in open(os.path.join(work, "results.jsonl")):
            r = json.loads(line)
            if r.get("type") == "tls":
                continue
            ok = r["outcome"] == "ok" and all(x["cleanup"] == "ok" for x in r["records"])
            total, good = runs.get(r["journey"], (0, 0))
            runs[r["journey"]] = (total + 1, good + ok)
        open_records = odoo.get("/__emulator/open-records?tag=probe-")
        stock_after = odoo.stock()
        delivery_after = odoo.state(delivery)
    finally:
        if daemon:
            daemon.close()
        if emulator:
            emulator.close()
        shutil.rmtree(work, ignore_errors=True)

    print("| journey | runs | ok and cleaned up |\n|---|---:|---:|")
    for j in JOURNEYS:
        total, good = runs.get(j, (0, 0))
        print(f"| {j} | {total} | {good} |")
    changed = {q: (stock_before.get(q), stock_after.get(q))
               for q in set(stock_before) | set(stock_after) if stock_before.get(q) != stock_after.get(q)}
    print(f"\nleftover records (gauge) {leftovers:.0f}, open probe records on the emulator "
          f"{len(open_records)}, quants changed {len(changed)} of {len(stock_before)}, the waiting "
          f"delivery {delivery_state} -> {delivery_after}")
    for q, (before, after) in sorted(changed.items()):
        print(f"  quant {q}: {before} -> {after}")
    expected = max(1, a.duration // a.interval)
    good = (all(runs.get(j, (0, 0))[0] >= expected and runs[j][0] == runs[j][1] for j in JOURNEYS)
            and leftovers == 0 and not open_records and not changed
            and delivery_after == delivery_state)
    print("verdict: " + ("no trace" if good else "HARM or FAILURES"))
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
