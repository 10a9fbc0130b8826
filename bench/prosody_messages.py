#!/usr/bin/python3
# A small messaging measurement through a real Prosody 0.12: N slixmpp clients (users
# u0…uN-1, registered in a private Prosody from tests/e2e/harness.py and in the gateway's
# database, prepared by `legate-bench-msg --prepare-only`) each keep W chat messages to
# alice@gw.localhost in flight and match the echo replies (<reply id=…/>) to their ids.
# Prints messages/s, the round trip net of the echo network's 200 ms delay, and the CPU
# that Prosody, the gateway and the clients used: it shows which of them limits the rate.
# slixmpp is a slow load generator; this is a sanity check of the path, not a peak figure.
#
#   /usr/bin/python3 bench/prosody_messages.py BUILD_DIR [--users 10] [--messages 300]
#                    [--window 10] [--delay-ms 200]
import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import harness  # noqa: E402
import slixmpp  # noqa: E402

REPLY_NS = "urn:xmpp:reply:0"
CONTACT = "alice@gw.localhost"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class User:
    def __init__(self, prosody, index, args, stats):
        self.index, self.args, self.stats = index, args, stats
        self.xmpp = slixmpp.ClientXMPP(f"u{index}@{prosody.domain}/bench", "pw")
        self.xmpp.add_event_handler("session_start", self.on_start)
        self.xmpp.add_event_handler("message", self.on_message)  # only messages with a body
        self.xmpp.register_plugin("xep_0085")
        self.xmpp.add_event_handler("chatstate_composing", self.on_composing)
        self.started = asyncio.get_event_loop().create_future()
        self.address = ("127.0.0.1", prosody.c2s_port)
        self.sent_at = {}
        self.composing = []  # ids awaiting their "composing", in order
        self.next = 0
        self.done = asyncio.get_event_loop().create_future()
        self.measuring = False

    def on_start(self, _):
        self.xmpp.send_presence()
        self.started.done() or self.started.set_result(True)

    def send(self, count):
        for _ in range(count):
            if self.next >= self.args.messages:
                return
            mid = f"u{self.index}-{self.next}"
            self.next += 1
            m = self.xmpp.make_message(mto=CONTACT, mbody=f"load test message {mid}",
                                       mtype="chat")
            m["id"] = mid
            self.sent_at[mid] = time.monotonic()
            self.composing.append(mid)
            m.send()

    def on_message(self, msg):
        now = time.monotonic()
        if msg["type"] == "error":
            self.stats["errors"] += 1
            return
        reply = msg.xml.find(f"{{{REPLY_NS}}}reply")
        if reply is not None and msg["body"].startswith("Echo ("):
            sent = self.sent_at.pop(reply.get("id"), None)
            if sent is None:
                self.stats["unexpected"] += 1
                return
            if self.measuring:
                self.stats["reply"].append(now - sent - self.args.delay_ms / 1000)
            self.stats["replies"] += 1
            self.send(1)
            if not self.sent_at and self.next >= self.args.messages:
                self.done.done() or self.done.set_result(True)

    def on_composing(self, msg):
        now = time.monotonic()
        if msg["from"].bare != CONTACT or not self.composing:
            return
        mid = self.composing.pop(0)
        if self.measuring and mid in self.sent_at:
            self.stats["composing"].append(now - self.sent_at[mid])


def pct(values, q):
    values = sorted(values)
    return values[int(q * (len(values) - 1))] * 1e6 if values else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--messages", type=int, default=300, help="per user")
    ap.add_argument("--window", type=int, default=10, help="in flight per user")
    ap.add_argument("--delay-ms", type=float, default=200)
    args = ap.parse_args()
    bench = os.path.join(args.build, "bench", "legate-bench-msg")
    echo = os.path.join(args.build, "examples", "echo", "legate-echo")
    harness.setup_logging()
    with harness.Prosody(log_level="warn") as prosody:
        for i in range(args.users):
            prosody.register(f"u{i}", "pw")
        db = os.path.join(prosody.tmp, "gateway.sqlite")
        subprocess.run([bench, "--prepare-only", "--users", str(args.users), "--contacts", "3",
                        "--database", db, "--jid", prosody.component], check=True,
                       stdout=subprocess.DEVNULL)
        prosody.start()
        gateway = harness.Gateway(echo, prosody, log_level="warn",
                                  extra_args=["--storage.path", db]).start()
        loop = harness.event_loop()
        stats = {"reply": [], "composing": [], "replies": 0, "errors": 0, "unexpected": 0}
        asyncio.set_event_loop(loop)
        users = [User(prosody, i, args, stats) for i in range(args.users)]
        for u in users:
            u.xmpp.connect(address=u.address, force_starttls=False, disable_starttls=True)
        loop.run_until_complete(asyncio.wait_for(asyncio.gather(*(u.started for u in users)), 30))
        time.sleep(1)  # the gateway logs the users in as soon as Prosody accepts it
        pids = {"prosody": prosody.proc.pid, "gateway": gateway.proc.pid, "clients": os.getpid()}
        before = {k: cpu_seconds(p) for k, p in pids.items()}
        t0 = time.monotonic()
        for u in users:
            u.measuring = True
            u.send(args.window)
        loop.run_until_complete(asyncio.wait_for(asyncio.gather(*(u.done for u in users)), 300))
        elapsed = time.monotonic() - t0
        after = {k: cpu_seconds(p) for k, p in pids.items()}
        total = args.users * args.messages
        print(f"users x messages   {args.users} x {args.messages} (window {args.window} each)")
        print(f"replies            {stats['replies']} (errors {stats['errors']}, "
              f"unexpected {stats['unexpected']})")
        print(f"throughput         {total / elapsed:.0f} messages/s ({elapsed:.2f} s)")
        for name in ("reply", "composing"):
            v = stats[name]
            label = "round trip - delay" if name == "reply" else "composing"
            print(f"{label:<19}p50 {pct(v, .5):.0f} us  p90 {pct(v, .9):.0f} us  "
                  f"p99 {pct(v, .99):.0f} us  max {pct(v, 1):.0f} us")
        for k in pids:
            cpu = after[k] - before[k]
            print(f"CPU {k:<15}{cpu:.2f} s = {cpu * 1e6 / total:.0f} us/message "
                  f"({100 * cpu / elapsed:.0f}% of one core)")
        for u in users:
            u.xmpp.disconnect()
        loop.run_until_complete(asyncio.sleep(0.5))
        return 0 if stats["replies"] == total and not stats["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
