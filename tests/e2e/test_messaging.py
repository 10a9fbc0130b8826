#!/usr/bin/python3
# End-to-end test of messaging through legate-echo against a private Prosody 0.12, run
# twice: with XEP-0356 (mod_privilege grants the gateway roster access, contacts join the
# roster by privileged roster push) and without (contacts send subscription requests with
# a nick). Each run: two-factor registration in chat; the session logs in; alice, bob and
# carol join the roster and come online; a message to alice (receipt request, id) comes
# back with the receipt, a composing state, the displayed marker, the echo as a XEP-0461
# reply naming the legacy id, a 👍 reaction and a XEP-0308 correction; the user reacts to
# the echo; the gateway restarts (SIGTERM, same SQLite file) and the session comes back;
# a correction and a retraction of the ORIGINAL message id reach alice under the same
# legacy id as before the restart (the id map persisted); a stranger gets
# registration-required. Usage: /usr/bin/python3 test_messaging.py PATH/TO/legate-echo
# One "ok - ..." / "not ok - ..." line per check; exit 0 only if all pass.
# LEGATE_KEEP_TMP=1 keeps the temp dirs, LEGATE_E2E_DEBUG=1 traces slixmpp.
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from xmpp_helpers import (CHATSTATES_NS, CORRECT_NS, MARKERS_NS, RECEIPTS_NS,  # noqa: E402
                          REPLY_NS, Inbox, body_has, child, child_id, correction, nick_of,
                          reaction, reactions_of, receipt_request, register_set, retraction,
                          roster_items, send_chat, send_message)

GW = "gw.localhost"
CODE = "123456"
TOTAL_TIMEOUT = 150       # hard cap on both runs (cleanup may add up to ~20 s)
WAIT = 10                 # for each expected stanza
CONTACTS = {"alice": "Alice Echo", "bob": "Bob Echo", "carol": "Carol Echo"}
ALICE = f"alice@{GW}"
CONNECTED = "Connected to the echo network"
BODY = "hello alice, please correct me"
FIXED = "hello alice, corrected after the restart"
PRIVILEGE_LINE = "contacts join rosters by privileged roster push (XEP-0356)"
SUBSCRIBE_LINE = "contacts join rosters by subscription requests"


class Run:
    def __init__(self, binary, prosody, checks, label):
        self.binary, self.prosody, self.checks, self.label = binary, prosody, checks, label
        self.db = os.path.join(prosody.tmp, "gateway.sqlite")
        self.gateway = None
        self.generation = 0
        self.client = self.box = None

    def check(self, name, cond, detail=""):
        return self.checks.check(f"{self.label}: {name}", cond, detail)

    def attempt(self, name, fn, *args):
        return self.checks.attempt(f"{self.label}: {name}", fn, *args)

    def start_gateway(self):
        self.generation += 1
        self.gateway = harness.Gateway(
            self.binary, self.prosody, name=f"gateway-{self.generation}",
            extra_args=["--storage.path", self.db, "--echo.registration", "two-factor",
                        "--echo.code", CODE]).start()
        self.gateway.stopping = False
        return self.attempt(f"gateway #{self.generation} answers ping", self.wait_for_gateway)

    def wait_for_gateway(self):
        gateway = self.gateway

        def answered():
            if not gateway.running:
                raise harness.GiveUp(f"gateway exited with {gateway.proc.returncode}: "
                                     f"{harness.tail(gateway.log_path, 5)}")
            return self.client.ping(GW, timeout=2) is not None
        return harness.wait_until(answered, WAIT, 0.25, f"ping answered by {GW}")

    def gateway_log(self):
        with open(self.gateway.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def gateway_alive(self):
        gateway = self.gateway
        if gateway is not None and gateway.proc.poll() is not None and not gateway.stopping:
            last = harness.tail(gateway.log_path, 2).replace("\n", " | ")
            raise RuntimeError(f"the gateway died (exit {gateway.proc.returncode}): {last}")

    def expect(self, name, pred, what=None, frm=ALICE, kind="message"):
        """Wait for a stanza from `frm`; a check; returns it or None. Fails at once if
        the gateway died."""
        def match(s):
            return (frm is None or s["from"].bare == frm) and pred(s)
        return self.attempt(name, self.box.expect, kind, match, WAIT, what or name,
                            self.gateway_alive)

    def connected_status(self):
        return self.expect(f"gateway presence '{CONNECTED}'",
                           lambda p: p["type"] == "available" and p["status"] == CONNECTED,
                           frm=GW, kind="presence")


def register(run):
    try:
        register_set(run.client, GW, {"username": "tester-echo", "password": "pw"})
    except Exception as e:  # noqa: BLE001
        return run.check("registration form accepted", False, harness.describe(e))
    run.check("registration form accepted", True)
    if not run.expect("two-factor code prompt", body_has("reply with the code"), frm=GW):
        return False
    send_chat(run.client, GW, CODE)
    return bool(run.expect("welcome message", body_has("Welcome to Legate Echo"), frm=GW))


def roster_by_push(run):
    """XEP-0356: one roster push per contact, name and subscription both."""
    log = run.gateway_log()
    run.check("gateway log says contacts join by privileged roster push",
              PRIVILEGE_LINE in log, "no such line" + (" (it says subscription requests)"
                                                       if SUBSCRIBE_LINE in log else ""))
    for user, name in CONTACTS.items():
        jid = f"{user}@{GW}"
        push = run.expect(f"roster push for {jid}",
                          lambda iq, jid=jid: any(i.get("jid") == jid for i in iq.xml.iter(
                              "{jabber:iq:roster}item")), frm=None, kind="roster")
        if push is None:
            continue
        item = next(i for i in push.xml.iter("{jabber:iq:roster}item") if i.get("jid") == jid)
        run.check(f"roster push for {user}: name {name!r}, subscription both",
                  item.get("name") == name and item.get("subscription") == "both",
                  f"got name={item.get('name')!r} subscription={item.get('subscription')!r}")
    stray = run.box.find("presence", lambda p: p["type"] == "subscribe" and p["from"].bare
                         in [f"{u}@{GW}" for u in CONTACTS])
    run.check("no subscription requests from contacts", stray is None,
              stray is not None and f"subscribe from {stray['from']}")


def roster_by_subscription(run):
    """No privilege: a subscribe presence with a nick per contact; slixmpp authorizes and
    asks back, the gateway approves."""
    log = run.gateway_log()
    run.check("gateway log says contacts join by subscription requests",
              SUBSCRIBE_LINE in log, "no such line" + (" (it says privileged roster push)"
                                                      if PRIVILEGE_LINE in log else ""))
    for user, name in CONTACTS.items():
        p = run.expect(f"subscription request from {user}", lambda p: p["type"] == "subscribe",
                       frm=f"{user}@{GW}", kind="presence")
        if p is not None:
            run.check(f"{user}'s subscription request has the nick {name!r}",
                      nick_of(p) == name, f"nick {nick_of(p)!r}")
        run.expect(f"{user} approved our subscription (subscribed)",
                   lambda p: p["type"] == "subscribed", frm=f"{user}@{GW}", kind="presence")


def check_roster(run):
    def complete():
        items = roster_items(run.client)
        missing = {f"{u}@{GW}" for u in CONTACTS} - {
            j for j, i in items.items() if i["subscription"] == "both"}
        if missing:
            raise AssertionError(f"not (yet) subscription both: {sorted(missing)}; "
                                 f"roster {items}")
        return items
    if run.attempt("alice, bob, carol in the roster with subscription both",
                   harness.wait_until, complete, WAIT, 0.2, "roster complete") is None:
        return
    fresh = run.attempt("the server's roster (fresh get) lists them too", roster_items,
                        run.client, True)
    if fresh is None:
        return
    got = {j: (i["name"], i["subscription"], i["groups"]) for j, i in fresh.items()
           if j.endswith("@" + GW)}
    if run.label == "privileged":
        # The push sets the contact's name and the gateway's name as the group.
        want = {f"{u}@{GW}": (n, "both", ["Legate Echo"]) for u, n in CONTACTS.items()}
        run.check("server roster: pushed names, subscription both, group 'Legate Echo'",
                  got == want, f"got {got}")
    else:
        # Names are the client's business here (slixmpp sets none when it asks back).
        run.check("server roster: exactly alice, bob, carol with subscription both",
                  {j: g[1] for j, g in got.items()} == {f"{u}@{GW}": "both" for u in CONTACTS},
                  f"got {got}")


def contacts_online(run):
    for user in CONTACTS:
        p = run.expect(f"{user} is online (available presence)",
                       lambda p: p["type"] == "available", frm=f"{user}@{GW}", kind="presence")
        if p is not None and user == "alice":
            run.check("alice's status is 'Echoing everything'",
                      p["status"] == "Echoing everything", f"status {p['status']!r}")


def chat(run):
    """The first message to alice; returns (legacy id, echo's XMPP id) or None."""
    mid = f"{run.label}-msg-1"
    send_message(run.client, ALICE, BODY, mid, [receipt_request()])
    run.expect("receipt for our message", lambda m: child_id(m, RECEIPTS_NS, "received") == mid)
    run.expect("alice is composing",
               lambda m: child(m, CHATSTATES_NS, "composing") is not None)
    run.expect("displayed marker for our message",
               lambda m: child_id(m, MARKERS_NS, "displayed") == mid)
    pattern = re.compile(r"^Echo \((m\d+)\): " + re.escape(BODY) + "$")
    echo = run.expect("echo 'Echo (LEGACYID): …'",
                      lambda m: pattern.match(m["body"] or "") is not None)
    if echo is None:
        return None
    legacy = pattern.match(echo["body"]).group(1)
    print(f"# {run.label}: legacy id {legacy}, echo's id {echo['id']}", flush=True)
    reply = child(echo, REPLY_NS, "reply")
    run.check("the echo is a reply to our message (<reply id=ours/>)",
              reply is not None and reply.get("id") == mid,
              f"reply {None if reply is None else reply.attrib}")
    if reply is not None and reply.get("to") is not None:
        run.check("<reply to=…/> names us, the author of the quoted message",
                  reply.get("to") == run.client.xmpp.boundjid.bare,
                  f"to={reply.get('to')!r} in {echo}")
    run.check("the echo has an id", bool(echo["id"]))
    r = run.expect("👍 reaction to our message", lambda m: reactions_of(m) is not None
                   and reactions_of(m)[0] == mid)
    if r is not None:
        run.check("the reaction is exactly 👍", reactions_of(r)[1] == ["👍"],
                  f"got {reactions_of(r)[1]}")
    fixed = f"Echo ({legacy}), corrected: {BODY}"
    corr = run.expect("correction of the echo", lambda m: child(m, CORRECT_NS, "replace")
                      is not None)
    if corr is not None:
        run.check("the correction replaces the echo's id",
                  child_id(corr, CORRECT_NS, "replace") == echo["id"],
                  f"replace id {child_id(corr, CORRECT_NS, 'replace')!r}, echo {echo['id']!r}")
        run.check("the corrected text names the same legacy id", corr["body"] == fixed,
                  f"body {corr['body']!r}")
    # Our reaction to the echo reaches alice under the echo's own legacy id.
    send_message(run.client, ALICE, None, f"{run.label}-react-1", reaction(echo["id"], "👍"))
    got = run.expect("alice answers our 👍 on the echo",
                     lambda m: (m["body"] or "").startswith("You reacted 👍 to "))
    if got is not None:
        m = re.fullmatch(r"You reacted 👍 to (m\d+)", got["body"])
        run.check("…naming the echo's legacy id (not ours)", m and m.group(1) != legacy,
                  f"body {got['body']!r}")
    return legacy, echo["id"], mid


def restart(run):
    t0 = time.monotonic()
    run.gateway.stopping = True
    code = run.gateway.stop()
    run.check("gateway exits 0 on SIGTERM", code == 0 and not run.gateway.died_early,
              "had to be killed" if code is None else f"exit code {code}")
    run.expect("alice goes offline when the gateway stops",
               lambda p: p["type"] == "unavailable", kind="presence")
    run.expect("the gateway goes offline", lambda p: p["type"] == "unavailable",
               frm=GW, kind="presence")
    run.box.clear()
    if not run.start_gateway():
        return False
    ok = run.connected_status()
    print(f"# {run.label}: session back {time.monotonic() - t0:.1f} s after the SIGTERM",
          flush=True)
    return bool(ok)


def after_restart(run, legacy, mid):
    send_message(run.client, ALICE, FIXED, f"{run.label}-msg-1-fix", [correction(mid)])
    want = f"You corrected {legacy} to: {FIXED}"
    got = run.expect("alice answers our correction of the pre-restart message",
                     body_has("You corrected "))
    if got is not None:
        run.check("…naming the same legacy id as before the restart", got["body"] == want,
                  f"got {got['body']!r}, want {want!r}")
    send_message(run.client, ALICE, "This person attempted to retract a previous message, "
                 "but it's unsupported by your client.", f"{run.label}-retract-1",
                 retraction(mid))
    got = run.expect("alice answers our retraction of the pre-restart message",
                     body_has("You retracted "))
    if got is not None:
        run.check("…naming the same legacy id", got["body"] == f"You retracted {legacy}",
                  f"got {got['body']!r}")
    again = run.box.find("presence", lambda p: p["type"] == "subscribe"
                         and p["from"].bare.endswith("@" + GW))
    push = run.box.find("roster", lambda iq: True)
    run.check("no new subscription requests or roster pushes after the restart",
              again is None and push is None,
              f"subscribe from {again['from']}" if again is not None else "a roster push")


def stranger(run, client):
    box = Inbox(client).attach()
    send_chat(client, ALICE, "hello? who are you?")
    err = run.checks.attempt(f"{run.label}: stranger messaging alice gets an error",
                             box.message, lambda m: m["type"] == "error", WAIT,
                             "error message", ALICE)
    if err:
        run.check("…registration-required",
                  err["error"]["condition"] == "registration-required",
                  f"got {err['error']['type']}/{err['error']['condition']}")


def scenario(binary, checks, privileged):
    label = "privileged" if privileged else "subscribe"
    extra = {}
    if privileged:
        extra = dict(
            extra_global='modules_enabled = { "disco", "roster", "saslauth", "ping", '
                         '"version", "posix", "privilege" }\n',
            extra_vhost=f'privileged_entities = {{ ["{GW}"] = '
                        '{ roster = "both"; message = "outgoing"; } }\n',
            extra_config='    modules_enabled = { "privilege" }\n')
    t0, failed_before = time.monotonic(), len(checks.failures)
    with harness.Prosody(component=GW, **extra) as prosody:
        for user in ("tester", "stranger"):
            prosody.register(user, f"{user}-pw")
        if not checks.attempt(f"{label}: prosody started", prosody.start):
            return
        run = Run(binary, prosody, checks, label)
        clients = []
        try:
            run.client = harness.Client(prosody, "tester", "tester-pw", timeout=5)
            clients.append(run.client)
            if not run.attempt("tester connected", run.client.connect):
                return
            run.box = Inbox(run.client).attach()
            if not (run.start_gateway() and register(run) and run.connected_status()):
                return
            (roster_by_push if privileged else roster_by_subscription)(run)
            check_roster(run)
            contacts_online(run)
            got = chat(run)
            other = harness.Client(prosody, "stranger", "stranger-pw", timeout=5)
            clients.append(other)
            if run.attempt("stranger connected", other.connect):
                stranger(run, other)
            if got is not None and restart(run):
                after_restart(run, got[0], got[2])
        finally:
            for c in clients:
                c.close()
            if run.gateway is not None and not run.gateway.stopping:
                died = run.gateway.proc.poll()
                code = run.gateway.stop()
                run.check("gateway exits 0 on SIGTERM at the end", died is None and code == 0,
                          f"it had died with {died}" if died is not None else f"exit code {code}")
            prosody.stop()
            run.check("prosody stopped", not prosody.running)
            if len(checks.failures) > failed_before:
                prosody.dump_logs(lines=40)
    print(f"# {label} run took {time.monotonic() - t0:.1f} s", flush=True)


def main(binary):
    checks = harness.Checks()
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"not ok - gateway binary {binary} is not an executable file")
        return 1
    for privileged in (True, False):
        scenario(binary, checks, privileged)
    checks.summary()
    return 0 if checks.ok else 1


if __name__ == "__main__":
    harness.run_test(main, TOTAL_TIMEOUT)
