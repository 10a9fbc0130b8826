#!/usr/bin/python3
# End-to-end fault test of legate-echo against a private Prosody 0.12: what happens to the
# messages of a burst when something dies halfway, measured rather than assumed. A
# registered, logged-in user writes 1,000 chat messages (unique ids and bodies, receipt
# requested, round-robin to alice/bob/carol, paced at RATE/s) and halfway through:
#   A. the gateway is SIGKILLed right after the 500th write (a fixed point in the burst, so
#      the "age" of every message relative to the kill is known exactly); the other 500 are
#      written on, into a server without its component; then the gateway is started again
#      on the same database and the session logs in again;
#   B. Prosody is stopped (SIGTERM) right after the 500th write and started again; the
#      client reconnects (a new stream) and writes the other 500 at once, whether or not the
#      gateway is back yet.
# Every message is then exactly one of: echoed; bounced with an error (Prosody's
# remote-server-timeout + <not-connected/> while the component is away, ejabberd's
# remote-server-not-found, or the gateway's
# recipient-unavailable before the session is logged in); receipt only (the gateway
# accepted it before the fault, the echo 200 ms later never came); silent (nothing).
# "Sent" means the client's write of the stanza to its socket returned (written straight to
# the transport, the time taken right after). Only messages handed to a stream count: in B
# the client stops writing at the stop and writes the rest on the new stream, so nothing is
# written into a dead connection.
# Accounted for (both scenarios): a silent message must have been sent at most WINDOW
# before the fault (the kill, or the SIGTERM to Prosody): XEP-0114 has no acknowledgements,
# so what was on the wire or in a buffer when the component's socket died is lost without
# a word. Receipt-only messages must have been sent before the fault (at most 1 s: the echo
# comes 200 ms after the receipt). In A the client writes on after the kill, and the server
# routes to the dead socket until it notices (measured: a few ms): a silent message sent
# after the kill is allowed only before the first one the server bounced, and the server
# must notice within WINDOW. In B the client's own stream dies with the server, so
# receipts and echoes routed while Prosody shuts down are lost too: "silent" for the client,
# under the same window; echoes the gateway made while disconnected are held and sent after
# its reconnect (they reach the client if it is back by then, else the server drops them:
# no offline storage here, so the message stays "receipt only"). Anything sent after the
# restart must be echoed or bounced, never silent. Counts, error conditions and the
# largest sent-before-fault age of a silent message are printed.
# Usage: /usr/bin/python3 test_faults.py PATH/TO/legate-echo
import asyncio
import collections
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import Checks, run_test  # noqa: E402
from slixmpp.xmlstream.tostring import tostring  # noqa: E402
from test_messaging import GW, Run  # noqa: E402  (the gateway on one database, the user)
from xmpp_helpers import (RECEIPTS_NS, REPLY_NS, body_has, child_id,  # noqa: E402
                          receipt_request, send_message)

TOTAL_TIMEOUT = 140       # both scenarios (each takes ~15 s)
N, FAULT_AT = 1000, 500   # the fault comes right after the FAULT_AT-th write
RATE = 1000               # messages written per second
WINDOW = 0.100            # a silent message may have been sent this long before the fault
RECEIPT_WINDOW = 1.0      # …a receipt-only one this long (the echo comes 200 ms later)
SETTLE, SETTLE_MAX = 1.5, 15   # quiet for SETTLE s, waiting at most SETTLE_MAX s
CONTACTS = [f"{u}@{GW}" for u in ("alice", "bob", "carol")]
ECHO = re.compile(r"^Echo \((m\d+)\): (.*)$", re.S)
NOT_CONNECTED = "{xmpp:prosody.im/protocol/component}not-connected"
# How the server's bounce for a component that is not connected reads here: Prosody's
# remote-server-timeout with <not-connected/>, ejabberd's remote-server-not-found.
COMPONENT_GONE = "+not-connected" if harness.SERVER == "prosody" else "remote-server-not-found"
CLASSES = ("echoed", "error", "receipt", "silent")


class Burst:
    """The messages of one scenario: sent[i] is when message i was written to a stream."""

    def __init__(self, label):
        self.label, self.sent = label, {}

    def mid(self, i):
        return f"{self.label}-{i:04d}"

    def to(self, i):
        return CONTACTS[i % len(CONTACTS)]

    def body(self, i):
        return f"{self.label} burst message {i:04d}"


async def write_burst(client, burst, indices, fault=None):
    """Write messages `indices` at RATE/s straight to the client's transport (not through
    slixmpp's send queue, so the time recorded is the write's). After the FAULT_AT-th message
    call fault() once: False stops the writing. Returns the indices not written."""
    xmpp, t0 = client.xmpp, time.monotonic()
    for n, i in enumerate(indices):
        await asyncio.sleep(max(t0 + n / RATE - time.monotonic(), 0))
        if xmpp.transport is None or xmpp.transport.is_closing():
            return indices[n:]
        msg = xmpp.make_message(mto=burst.to(i), mbody=burst.body(i), mtype="chat")
        msg["id"] = burst.mid(i)
        msg.xml.append(receipt_request())
        xmpp.send_raw(tostring(msg.xml, xmlns=xmpp.default_ns, stream=xmpp, top_level=True))
        burst.sent[i] = time.monotonic()
        if i + 1 == FAULT_AT and fault is not None and not fault():
            return indices[n + 1:]
    return indices[len(indices):]


def settle(run):
    """Wait until the client got nothing for SETTLE s (at most SETTLE_MAX s); True if so."""
    async def quiet():
        start = last = time.monotonic()
        seen = len(run.box.items)
        while time.monotonic() - last < SETTLE:
            if time.monotonic() - start > SETTLE_MAX:
                return False
            await asyncio.sleep(0.05)
            if len(run.box.items) != seen:
                seen, last = len(run.box.items), time.monotonic()
        return True
    return run.client.run(quiet(), SETTLE_MAX + 5)


def classify(burst, items):
    """({i: class}, {i: [error type/condition]}, [anomalies]) from what the client got."""
    ids = {burst.mid(i): i for i in burst.sent}
    bodies = {burst.body(i): i for i in burst.sent}
    echoes, errors, receipts, odd = collections.Counter(), {}, set(), []
    for kind, m in items:
        if kind != "message":
            continue
        if m["type"] == "error":
            if m["id"] in ids:
                err = m["error"]
                gone = next(m.xml.iter(NOT_CONNECTED), None) is not None
                extra = "+not-connected" if gone else ""
                errors.setdefault(ids[m["id"]], []).append(
                    f"{err['type']}/{err['condition']}{extra}")
            continue
        received = child_id(m, RECEIPTS_NS, "received")
        if received in ids:
            receipts.add(ids[received])
        echo = ECHO.match(m["body"] or "")
        if echo and echo.group(2) in bodies:
            i = bodies[echo.group(2)]
            echoes[i] += 1
            reply = child_id(m, REPLY_NS, "reply")
            if m["from"].bare != burst.to(i) or reply != burst.mid(i):
                odd.append(f"{burst.mid(i)}: echo from {m['from']} replying to {reply!r}")
    classes = {}
    for i in burst.sent:
        if echoes[i] > 1:
            odd.append(f"{burst.mid(i)} echoed {echoes[i]} times")
        if echoes[i] and i in errors:
            odd.append(f"{burst.mid(i)} echoed and bounced ({errors[i]})")
        if len(errors.get(i, ())) > 1:
            odd.append(f"{burst.mid(i)} bounced {len(errors[i])} times")
        classes[i] = ("echoed" if echoes[i] else "error" if i in errors
                      else "receipt" if i in receipts else "silent")
    return classes, errors, odd


def account(run, burst, t_fault, fault, same_stream):
    """Print the classes (with where their messages lie around the fault) and check them.
    same_stream: the client wrote on after the fault (A), so messages the server routed to
    the dead component before it noticed the loss are lost too (measured: a few ms)."""
    classes, errors, odd = classify(burst, run.box.items)
    age = {i: t_fault - t for i, t in burst.sent.items()}   # > 0: sent before the fault
    counts = collections.Counter(classes.values())
    print(f"# {run.label}: {len(classes)} messages written, " + ", ".join(
        f"{c} {counts[c]}" for c in CLASSES), flush=True)
    for c in CLASSES:
        ages = [age[i] * 1000 for i in classes if classes[i] == c]
        if ages:
            print(f"#   {c:8}: sent {max(ages):+9.1f} .. {min(ages):+9.1f} ms before the {fault}"
                  f" (ids {burst.mid(min(i for i in classes if classes[i] == c))} …)", flush=True)
    split = collections.Counter((("before" if age[i] > 0 else "after") + " the " + fault, e)
                                for i in errors for e in errors[i])
    for (when, cond), n in sorted(split.items()):
        print(f"#   bounced {n} × {cond} (sent {when})", flush=True)
    silent = [i for i in classes if classes[i] == "silent"]
    oldest = max((age[i] for i in silent), default=None)
    print(f"# {run.label}: largest sent-before-{fault} age of a silent message: "
          + ("none silent" if oldest is None else f"{oldest * 1000:.1f} ms"), flush=True)
    noticed = t_fault   # when the server began bouncing: the first such message's write
    if same_stream:
        bounced = [burst.sent[i] for i in errors if age[i] < 0
                   and any(e.endswith(COMPONENT_GONE) for e in errors[i])]
        noticed = min(bounced, default=t_fault)
        unnoticed = [i for i in silent if burst.sent[i] < noticed and age[i] < 0]
        print(f"# {run.label}: the server bounced from {(noticed - t_fault) * 1000:.1f} ms "
              f"after the {fault} on; {len(unnoticed)} silent message(s) sent after the "
              f"{fault}, before that", flush=True)
        run.check(f"the server noticed within {WINDOW * 1000:.0f} ms",
                  noticed - t_fault <= WINDOW, f"{(noticed - t_fault) * 1000:.1f} ms")
    bad = [i for i in silent if not (0 <= age[i] <= WINDOW or t_fault < burst.sent[i] < noticed)]
    run.check(f"every silent message was sent at most {WINDOW * 1000:.0f} ms before the {fault}"
              + (" or after it, before the server noticed" if same_stream else ""),
              not bad, f"{len(bad)} outside: " + ", ".join(
                  f"{burst.mid(i)} ({age[i] * 1000:+.1f} ms)" for i in sorted(bad)[:8]))
    late = [i for i in classes if classes[i] == "receipt" and not 0 <= age[i] <= RECEIPT_WINDOW]
    run.check(f"receipt-only messages were all sent within {RECEIPT_WINDOW:.0f} s before the "
              f"{fault}", not late, ", ".join(f"{burst.mid(i)} ({age[i] * 1000:+.1f} ms)"
                                             for i in sorted(late)[:8]))
    run.check("no message echoed twice, bounced twice, or both", not odd, "; ".join(odd[:6]))
    return counts


def purge_presences(run):
    run.box.items[:] = [(k, s) for k, s in run.box.items if k != "presence"]


def gateway_killed(run, burst, prosody):
    """Scenario A; returns the kill time, or None if the run broke off."""
    killed = []

    def kill():
        run.gateway.stopping = True
        os.kill(run.gateway.proc.pid, signal.SIGKILL)
        killed.append(time.monotonic())
        return True   # write on: the rest reach a server whose component is gone
    left = run.client.run(write_burst(run.client, burst, range(N), kill), 30)
    run.check(f"all {N} messages written", not left, f"{len(left)} not written")
    code = run.gateway.proc.wait(5)
    run.check("the gateway died of SIGKILL", code == -signal.SIGKILL, f"exit {code}")
    accepted = re.findall(r"'" + burst.label + r" burst message (\d+)'", run.gateway_log())
    print(f"# {run.label}: the killed gateway's last accepted message (its log): "
          + (accepted[-1] if accepted else "none"), flush=True)
    settle(run)   # Prosody's bounces
    purge_presences(run)
    t0 = time.monotonic()
    if not (run.start_gateway() and run.logged_in()):
        return None
    print(f"# {run.label}: session logged in again {time.monotonic() - t0:.1f} s after the "
          f"restart ({time.monotonic() - killed[0]:.1f} s after the kill)", flush=True)
    run.check("things settle after the restart", settle(run))
    return killed[0]


def server_restarted(run, burst, prosody):
    """Scenario B; returns the time of the SIGTERM to Prosody, or None."""
    stopped = []

    def stop():
        prosody.proc.send_signal(signal.SIGTERM)
        stopped.append(time.monotonic())
        return False  # the rest go on the next stream
    left = run.client.run(write_burst(run.client, burst, range(N), stop), 30)

    async def gone():  # keep reading until the server closed the stream and exited
        while run.client.xmpp.transport is not None or prosody.running:
            await asyncio.sleep(0.02)
        return True
    if run.attempt("the server closes the client's stream and exits", run.client.run,
                   gone(), 15) is None:
        return None
    print(f"# {run.label}: stream closed and prosody gone "
          f"{time.monotonic() - stopped[0]:.2f} s after SIGTERM", flush=True)
    if not (run.attempt("prosody started again", prosody.restart)
            and run.attempt("client reconnected", run.client.connect)):
        return None
    run.box.attach()
    first_new = len(run.box.items)
    print(f"# {run.label}: client back {time.monotonic() - stopped[0]:.2f} s after SIGTERM; "
          f"writing the other {len(left)}", flush=True)
    rest = run.client.run(write_burst(run.client, burst, left), 30)
    run.check(f"the other {len(left)} messages written on the new stream", not rest,
              f"{len(rest)} not written")
    run.attempt("the gateway answers ping again", run.wait_for_gateway)
    run.check("things settle after the restart", settle(run))
    late = sum(1 for kind, m in run.box.items[first_new:] if kind == "message" and any(
        (m["body"] or "").endswith(f"): {burst.body(i)}") for i in range(FAULT_AT)))
    print(f"# {run.label}: {late} echoes of messages sent before the stop came on the new "
          "stream (the gateway held them while disconnected)", flush=True)
    return stopped[0]


def one_run(binary, checks, label, fault, what):
    with Run(binary, checks, label, users=["tester"]) as run:
        if not run.ready():
            return
        for contact in CONTACTS:
            run.expect(f"{contact} is online", lambda p: p["type"] == "available",
                       frm=contact, kind="presence")
        settle(run)   # the subscription handshakes are over
        run.box.clear()
        burst = Burst(label)
        t_fault = fault(run, burst, run.prosody)
        if t_fault is not None:
            account(run, burst, t_fault, what, fault is gateway_killed)
            send_message(run.client, CONTACTS[0], f"{label}: still there?", f"{label}-last")
            run.expect(f"an echo again after the {what}", body_has(f"{label}: still there?"))


def main(binary):
    checks = Checks()
    one_run(binary, checks, "gateway-killed", gateway_killed, "kill")
    one_run(binary, checks, "server-restarted", server_restarted, "stop")
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
