#!/usr/bin/python3
# End-to-end test of messaging through legate-echo against a private Prosody 0.12, run
# twice: with XEP-0356 (mod_privilege grants the gateway roster access, contacts join the
# roster by privileged roster push; ejabberd 23.01 refuses every push, and the test checks
# the fallback to subscription requests, with one warning) and without (contacts send subscription requests with
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
from scenario import Checks, Scenario, run_test  # noqa: E402
from xmpp_helpers import (CHATSTATES_NS, CORRECT_NS, MARKERS_NS, RECEIPTS_NS,  # noqa: E402
                          REPLY_NS, body_has, child, child_id, correction, nick_of,
                          reaction, reactions_of, receipt_request, retraction,
                          roster_items, send_chat, send_message)

GW = "gw.localhost"
CODE = "123456"
TOTAL_TIMEOUT = 150       # hard cap on both runs (cleanup may add up to ~20 s)
WAIT = 10                 # for each expected stanza
CONTACTS = {"alice": "Alice Echo", "bob": "Bob Echo", "carol": "Carol Echo"}
ALICE = f"alice@{GW}"
BODY = "hello alice, please correct me"
FIXED = "hello alice, corrected after the restart"
PRIVILEGE_LINE = "contacts join rosters by privileged roster push (XEP-0356)"
SUBSCRIBE_LINE = "contacts join rosters by subscription requests"
REFUSED_LINE = "the server refused a roster push (XEP-0356)"


class Run(Scenario):
    """One of the runs: the gateway restarted on one database; stanzas from alice unless
    said otherwise. Also test_faults.py's."""

    def __init__(self, binary, checks, label, **kwargs):
        super().__init__(binary, checks, label, sender=ALICE,
                         end_check="gateway exits 0 on SIGTERM at the end", **kwargs)
        self.generation = 0

    def start_gateway(self):
        self.generation += 1
        return super().start_gateway(
            "--storage.path", self.db, "--echo.registration", "two-factor", "--echo.code", CODE,
            name=f"gateway-{self.generation}", check=f"gateway #{self.generation} answers ping")

    def ready(self):
        """tester connected, the gateway up, tester registered with it and logged in."""
        return bool(self.started and self.connect("tester") and self.start_gateway()
                    and self.register_two_factor(CODE) and self.logged_in())


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
    subscription_requests(run)


def roster_push_refused(run):
    """ejabberd 23.01 grants roster set and answers every push internal-server-error: the
    gateway says so once and falls back to subscription requests for the user."""
    log = run.gateway_log()
    run.check("gateway log says contacts join by privileged roster push",
              PRIVILEGE_LINE in log, "no such line")
    subscription_requests(run)
    refused = run.gateway_log().count(REFUSED_LINE)
    run.check("gateway log: one warning that the server refused roster pushes",
              refused == 1, f"{refused} such lines")


def subscription_requests(run):
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
    if run.label == "privileged" and harness.PRIVILEGED_ROSTER:
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
    run.stop_gateway()
    run.expect("alice goes offline when the gateway stops",
               lambda p: p["type"] == "unavailable", kind="presence")
    run.expect("the gateway goes offline", lambda p: p["type"] == "unavailable",
               frm=GW, kind="presence")
    run.box.clear()
    if not run.start_gateway():
        return False
    ok = run.logged_in()
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
    send_chat(client, ALICE, "hello? who are you?")
    err = run.attempt("stranger messaging alice gets an error", run.inbox["stranger"].message,
                      lambda m: m["type"] == "error", WAIT, "error message", ALICE)
    if err:
        run.check("…registration-required",
                  err["error"]["condition"] == "registration-required",
                  f"got {err['error']['type']}/{err['error']['condition']}")


def one_run(binary, checks, privileged):
    label = "privileged" if privileged else "subscribe"
    extra = harness.privilege_config(GW) if privileged else {}
    with Run(binary, checks, label, users=("tester", "stranger"), prosody_check=True,
             **extra) as run:
        if not run.ready():
            return
        if privileged:
            (roster_by_push if harness.PRIVILEGED_ROSTER else roster_push_refused)(run)
        else:
            roster_by_subscription(run)
        check_roster(run)
        contacts_online(run)
        got = chat(run)
        other = run.connect("stranger")
        if other:
            stranger(run, other)
        if got is not None and restart(run):
            after_restart(run, got[0], got[2])


def main(binary):
    checks = Checks()
    for privileged in (True, False):
        one_run(binary, checks, privileged)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
