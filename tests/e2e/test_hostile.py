#!/usr/bin/python3
# End-to-end test of Legate's per-stanza parser limits through a private Prosody 0.12 and
# legate-echo: a stanza over a limit is refused alone (policy-violation, type modify, from
# its addressee, with a text naming the limit); the component stream stays up. Three users:
# mallory (not registered with the gateway), eve (registered, logged in) and victim
# (registered, chatting with alice@gw all along). mallory and eve each send bob@gw, as raw
# XML with a unique id: payloads 40, 300 and 5,000 elements deep; one element with 100 and
# one with 10,000 attributes; one attribute value of 70,000 bytes; a body of 184,320
# apostrophes (Prosody re-escapes each as &apos;: ~1.1 MB at the gateway, under the 4 MiB
# limit, so an ordinary message: eve gets the echo, mallory registration-required); and a
# body of 720,000 apostrophes (~4.3 MB at the gateway: over 4 MiB). For that last one the
# test raises Prosody's c2s_stanza_size_limit from 256 KiB to 1 MiB: with the default no
# client stanza can reach 4 MiB at the gateway (256 KiB x at most 6 for &apos;/&quot;).
# Two victim messages go around each hostile stanza (33 in all); every one must be echoed.
# Each hostile stanza's outcome: Legate's refusal with the expected text (pass); Prosody's
# own refusal (its error, or it closing the sender's stream: accepted, printed); anything
# else fails. /metrics: legate_stanzas_refused_total{limit} rises by the refusals seen per
# limit, legate_reconnects_total stays put. A table of cases and outcomes is printed.
# Usage: /usr/bin/python3 test_hostile.py PATH/TO/legate-echo
import asyncio
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import Checks, Scenario, run_test  # noqa: E402
from test_health import health_is, launch_gateway, metrics  # noqa: E402  (/metrics, /health)
from xmpp_helpers import (REPLY_NS, STANZAS_NS, Inbox, child_id, register_set,  # noqa: E402
                          send_message)

GW = "gw.localhost"
BOB, ALICE = f"bob@{GW}", f"alice@{GW}"
TOTAL_TIMEOUT = 90
WAIT = 10
TEXTS = {"depth": "stanza nested deeper than 32 elements",
         "attributes": "more than 64 attributes on one element",
         "attribute_size": "attribute value larger than 65536 bytes",
         "size": "stanza larger than 4194304 bytes"}
ECHO = re.compile(r"^Echo \(m\d+\): (.*)$", re.S)


def nested(n):
    return "<x xmlns='urn:test'>" + "<a>" * (n - 1) + "</a>" * (n - 1) + "</x>"


def attributes(n):
    return "<x xmlns='urn:test' " + " ".join(f"a{i}='{i}'" for i in range(n)) + "/>"


def apostrophes(n):
    return "'" * n


# ejabberd 23.01 dies (SIGSEGV, found here) on a client stanza nested 5,000 deep, before
# anything reaches the gateway: 2,000 is as deep as it survives (docs/admin.md).
DEEPEST = 2000 if harness.SERVER == "ejabberd" else 5000

# (case, body, extra payload, the limit Legate must refuse it for; None: an ordinary message)
CASES = [("40 nested elements", "deep 40", nested(40), "depth"),
         ("300 nested elements", "deep 300", nested(300), "depth"),
         (f"{DEEPEST:,} nested elements", f"deep {DEEPEST}", nested(DEEPEST), "depth"),
         ("100 attributes on one element", "attrs 100", attributes(100), "attributes"),
         ("10,000 attributes on one element", "attrs 10000", attributes(10000), "attributes"),
         ("attribute value of 70,000 bytes", "long attr",
          f"<x xmlns='urn:test' v='{'z' * 70000}'/>", "attribute_size"),
         ("body 184,320 x ' (~1.1 MB at gw)", apostrophes(184320), "", None),
         ("body 720,000 x ' (~4.3 MB at gw)", apostrophes(720000), "", "size")]


class Sender:
    """A client with an Inbox that survives reconnects and a log of its stream's end; the
    run closes it at the end and expects stanzas in its Inbox."""

    def __init__(self, run, name, registered):
        self.name, self.registered, self.events = name, registered, []
        self.client = harness.Client(run.prosody, name, f"{name}-pw", timeout=5)
        self.box = Inbox(self.client)
        run.clients[name], run.inbox[name] = self.client, self.box

    def connect(self):
        self.client.connect()
        self.box.attach()
        xmpp = self.client.xmpp
        xmpp.add_event_handler("stream_error", lambda e: self.events.append(
            f"stream error {e['condition']} {e['text']!r}"))
        xmpp.add_event_handler("disconnected", lambda why: self.events.append(
            f"disconnected ({why})"))
        return self

    def connected(self):
        return self.client.xmpp is not None and self.client.xmpp.is_connected()


def poll(client, pred, timeout):
    """pred()'s first truthy value within timeout (the shared loop keeps running), or None."""
    async def loop():
        deadline = time.monotonic() + timeout
        while True:
            value = pred()
            if value or time.monotonic() >= deadline:
                return value
            await asyncio.sleep(0.02)
    return client.run(loop(), timeout + 5)


def register(run, s):
    run.attempt(f"{s.name} registered with the gateway", register_set, s.client, GW,
                {"username": f"{s.name}-echo", "password": "pw"})
    run.logged_in(f"{s.name} logged in", s.name)


def condition(err):
    """(type, condition, text) of an error reply, read from the XML: slixmpp 1.8's Error
    knows no policy-violation (RFC 6120 8.3.3.12) and reports it as ''."""
    e = err.xml.find(f"{{{err.namespace}}}error")
    names = [c.tag.partition("}")[2] for c in e if c.tag.startswith(f"{{{STANZAS_NS}}}")]
    text = e.find(f"{{{STANZAS_NS}}}text")
    return e.get("type"), next((n for n in names if n != "text"), ""), \
        "" if text is None else (text.text or "")


def outcome(s, sid, body, wait):
    """(kind, detail) for the stanza `sid` sent by s: 'legate' (policy-violation/modify from
    bob, detail = its text), 'echo', 'error' (any other error reply), 'closed' (Prosody
    closed s's stream) or 'none'."""
    def found():
        err = s.box.find("message", lambda m: m["id"] == sid and m["type"] == "error")
        if err is not None:
            (etype, cond, text), frm = condition(err), str(err["from"])
            if frm.split("/")[0] == BOB and cond == "policy-violation" and etype == "modify":
                return "legate", text
            return "error", f"{etype}/{cond} {text!r} from {frm or '-'}"
        echo = s.box.find("message", lambda m: m["type"] != "error"
                          and child_id(m, REPLY_NS, "reply") == sid)
        if echo is not None:
            m = ECHO.match(echo["body"] or "")
            same = m is not None and m.group(1) == body
            return "echo", f"echoed by {echo['from'].bare}, {len(echo['body'])} chars" + (
                "" if same else ", NOT the body sent")
        if not s.connected():
            return "closed", "; ".join(s.events) or "stream gone"
        return None
    return poll(s.client, found, wait) or ("none", f"nothing within {wait} s")


def verdict(s, kind, detail, limit):
    """(ok, label) of one outcome."""
    if limit is not None:
        if kind == "legate":
            return detail == TEXTS[limit], f"Legate policy-violation {detail!r}"
        if kind == "closed":
            return True, f"{harness.SERVER} closed {s.name}'s stream: {detail}"
        if kind == "error" and GW not in detail:
            return True, f"{harness.SERVER}'s own error: {detail}"
    elif s.registered and kind == "echo":
        return "NOT" not in detail, detail
    elif not s.registered and kind == "error" and "registration-required" in detail:
        return detail.endswith(f"from {BOB}"), f"error {detail}"
    return False, f"{kind}: {detail}"


def hostile(checks, senders, victim):
    """Every case from every sender, victim messages around each; returns the table rows."""
    said, rows = [], []

    def victim_says():
        body = f"victim message {len(said):02d}"
        send_message(victim.client, ALICE, body, f"victim-{len(said)}")
        said.append(body)

    for n, (case, body, extra, limit) in enumerate(CASES):
        for s in senders:
            if not s.connected():   # Prosody closed it after an earlier case: start again
                checks.attempt(f"{s.name} reconnected", s.connect)
            sid = f"{s.name}-hostile-{n}"
            victim_says()
            t0 = time.monotonic()
            s.client.xmpp.send_raw(f"<message to='{BOB}' type='chat' id='{sid}'>"
                                   f"<body>{body}</body>{extra}</message>")
            victim_says()
            kind, detail = outcome(s, sid, body, WAIT)
            ok, label = verdict(s, kind, detail, limit)
            rows.append((case, s.name, limit if kind == "legate" else None, ok, label,
                         time.monotonic() - t0))
            checks.check(f"{s.name}, {case}: {label[:90]}", ok, "expected "
                         + (repr(TEXTS[limit]) if limit else "an ordinary message's fate"))
    victim_says()
    echoed = set()

    def all_echoed():
        while True:
            m = victim.box.find("message", lambda m: m["from"].bare == ALICE
                                and ECHO.match(m["body"] or ""))
            if m is None:
                break
            echoed.add(ECHO.match(m["body"]).group(1))
        return echoed >= set(said)
    poll(victim.client, all_echoed, WAIT)
    errors = [m for k, m in victim.box.items if k == "message" and m["type"] == "error"]
    checks.check(f"victim: all {len(said)} messages to alice echoed, no errors",
                 echoed >= set(said) and not errors,
                 f"missing {sorted(set(said) - echoed)}; errors "
                 + "; ".join(f"{m['id']} {m['error']['condition']}" for m in errors))
    return rows


def refused(samples):
    return {k[len('legate_stanzas_refused_total{limit="'):-2]: v for k, v in samples.items()
            if k.startswith("legate_stanzas_refused_total{")}


def check_metrics(checks, before, after, rows):
    seen = {}
    for row in rows:
        if row[2]:
            seen[row[2]] = seen.get(row[2], 0) + 1
    b, a = refused(before), refused(after)
    delta = {k: a.get(k, 0) - b.get(k, 0) for k in set(a) | set(b)}
    delta = {k: v for k, v in delta.items() if v}
    print(f"# legate_stanzas_refused_total rose by {delta}; Legate refusals seen: {seen}")
    checks.check("legate_stanzas_refused_total rose by the refusals seen, per limit",
                 delta == seen, f"rose by {delta}, seen {seen}")
    checks.check("legate_reconnects_total unchanged",
                 before.get("legate_reconnects_total") == after.get("legate_reconnects_total"),
                 f"{before.get('legate_reconnects_total')} -> "
                 f"{after.get('legate_reconnects_total')}")
    checks.check("legate_component_up = 1", after.get("legate_component_up") == 1,
                 after.get("legate_component_up"))


def table(rows):
    print("# case                             | sender  | ok | outcome (time)")
    for case, name, _, ok, label, took in rows:
        print(f"# {case:<32} | {name:<7} | {'ok' if ok else 'NO'} | {label[:110]} "
              f"({took:.2f} s)")


def gateway_log_lines(run):
    """What the gateway logged about the refusals, and any trouble with its stream."""
    log = run.gateway_log().splitlines()
    warned = [line for line in log if "refused a message" in line]
    print(f"# gateway log: {len(warned)} 'refused a message' line(s), e.g. "
          f"{warned[0].partition(' warning ')[2][:110] if warned else '-'}")
    for bad in [line for line in log if re.search(r"stream error|reconnect", line, re.I)]:
        print(f"# gateway log: {bad[-160:]}")


def hostile_run(run, port):
    checks = run.checks
    launch_gateway(run, port)
    if not checks.attempt("gateway connected (/health 200)", health_is, port, 200, WAIT):
        return
    mallory, eve, victim = (Sender(run, "mallory", False), Sender(run, "eve", True),
                            Sender(run, "victim", True))
    for s in (mallory, eve, victim):
        if not checks.attempt(f"{s.name} connected", s.connect):
            return
    register(run, eve)
    register(run, victim)
    before = checks.attempt("/metrics before", metrics, port) or {}
    rows = hostile(checks, [mallory, eve], victim)
    after = checks.attempt("/metrics after", metrics, port) or {}
    check_metrics(checks, before, after, rows)
    table(rows)
    checks.check("gateway still running", run.gateway.running,
                 harness.tail(run.gateway.log_path, 5))
    gateway_log_lines(run)


def main(binary):
    checks = Checks()
    with Scenario(binary, checks, users=("mallory", "eve", "victim"),
                  stanza_size_limit=1024 * 1024) as run:
        if run.started:
            hostile_run(run, harness.free_port())
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
