#!/usr/bin/python3
# End-to-end test of leaving legate-echo (form registration) against a private Prosody
# 0.12 or ejabberd 23.01, twice: with XEP-0356 (mod_privilege grants the gateway roster
# access; ejabberd refuses the pushes, and the fallback to subscriptions is checked) and
# without.
# For each way out — XEP-0077 <remove/>, removing the gateway from the roster (the client's
# roster remove: Prosody sends unsubscribe + unsubscribed to the gateway), the `unregister`
# command as ad-hoc command and in chat (both confirmed), an admin's `delete-user` — a
# fresh account registers, alice/bob/carol reach its server-side roster (a roster get, the
# server's answer) with subscription both, it leaves, and its server-side roster is read
# again. Privileged: no contact item is left. Both modes: no item of the gateway's domain
# keeps a subscription (to/from/both) or a pending ask; Prosody keeps items whose
# subscription fell to none (RFC 6121: only the user deletes items). Prints a table of what
# each roster held after. Usage: /usr/bin/python3 test_leaving.py PATH/TO/legate-echo
# One "ok - ..." / "not ok - ..." line per check; exit 0 only if all pass.
# LEGATE_KEEP_TMP=1 keeps the temp dirs, LEGATE_E2E_DEBUG=1 traces slixmpp.
import asyncio
import os
import sys
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from adhoc_helpers import run_command  # noqa: E402
from scenario import Checks, Scenario, run_test  # noqa: E402
from xmpp_helpers import (ROSTER_NS, body_has, register_get, register_remove,  # noqa: E402
                          register_set, send_chat)

GW = "gw.localhost"
TOTAL_TIMEOUT = 140       # hard cap on both runs (cleanup may add a few seconds)
WAIT = 10                 # for each expected stanza, reply or roster state
SETTLE = 1.0              # the roster is read again this long after it looked clean
CONTACTS = tuple(f"{u}@{GW}" for u in ("alice", "bob", "carol"))
PATHS = {"XEP-0077 remove": "remover", "roster removal": "pruner",
         "ad-hoc unregister": "adhoc", "chat unregister": "chatter",
         "admin delete-user": "victim"}           # path -> the account that leaves by it


def of_gateway(jid):
    return jid.partition("/")[0].rpartition("@")[2] == GW


def server_roster(client):
    """{jid: (subscription, ask)} of the items of the gateway's domain in the answer to a
    fresh roster get (the server's roster, not slixmpp's cache)."""
    t = client.timeout
    iq = client.xmpp.make_iq_get(queryxmlns=ROSTER_NS)
    query = client.run(iq.send(timeout=t), t + 1).xml.find(f"{{{ROSTER_NS}}}query")
    return {i.get("jid"): (i.get("subscription") or "none", i.get("ask"))
            for i in query.findall(f"{{{ROSTER_NS}}}item") if of_gateway(i.get("jid"))}


def shown(roster):
    """'alice:none bob:none gw:none+ask=subscribe' ('(nothing)' for an empty roster)."""
    out = [f"{j.partition('@')[0] if '@' in j else 'gw'}:{s}" + (f"+ask={a}" if a else "")
           for j, (s, a) in sorted(roster.items())]
    return " ".join(out) or "(nothing)"


def shown_now(client):
    """shown() of a fresh roster get, or why there is none (for failure rows)."""
    try:
        return shown(server_roster(client))
    except Exception as e:  # noqa: BLE001
        return f"(no roster: {harness.describe(e)})"


def leftovers(roster, privileged):
    """The items that should be gone: any with a subscription or a pending ask; with the
    privilege also every item but the gateway's own (the pushes delete them)."""
    return {j: v for j, v in roster.items()
            if v != ("none", None) or (privileged and j != GW)}


class Run(Scenario):
    """One of the runs: every account that leaves, and what its roster held."""

    def __init__(self, binary, checks, privileged):
        label = "privileged" if privileged else "plain"
        super().__init__(binary, checks, label, users=("admin", *PATHS.values()),
                         **(harness.privilege_config(GW) if privileged else {}))
        # ejabberd 23.01 refuses the pushes: its contacts join by subscription, and leave so
        self.privileged = privileged and harness.PRIVILEGED_ROSTER
        self.refused_pushes = privileged and not harness.PRIVILEGED_ROSTER
        self.admin = None
        self.table = []           # (path, roster before, roster after, verdict)


def joined(run, client):
    """The server roster once the gateway and its contacts are there with subscription both."""
    run.alive()
    roster = server_roster(client)
    missing = {j: roster.get(j) for j in CONTACTS + (GW,) if roster.get(j) != ("both", None)}
    if missing:
        raise AssertionError(f"not (yet) subscription both: {missing}")
    return roster


def left(run, client):
    """(server roster,) once nothing of leftovers() is in it."""
    run.alive()
    roster = server_roster(client)
    bad = leftovers(roster, run.privileged)
    if bad:
        raise AssertionError(f"still there: {shown(bad)}")
    return (roster,)


def leave(run, path, client, box):
    """Leave the gateway by `path`; True, or raises if a step is not answered as expected."""
    jid = client.xmpp.boundjid.bare
    if path == "XEP-0077 remove":
        register_remove(client, GW)
    elif path == "roster removal":   # what a client does when the user deletes the contact
        query = ET.Element(f"{{{ROSTER_NS}}}query")
        ET.SubElement(query, f"{{{ROSTER_NS}}}item", jid=GW, subscription="remove")
        client.run(client.xmpp.make_iq_set(sub=query).send(timeout=WAIT), WAIT + 1)
    elif path == "ad-hoc unregister":
        ask = run_command(client, GW, "unregister")
        if ask.status != "executing" or "confirm" not in ask.fields:
            raise AssertionError(f"no confirmation form: {ask}")
        done = run_command(client, GW, "unregister", {"confirm": "1"}, ask.sessionid,
                           "complete")
        if done.status != "completed" or done.note != "You are unregistered.":
            raise AssertionError(f"not completed: {done}")
    elif path == "chat unregister":
        send_chat(client, GW, "unregister")
        box.message(body_has("Really unregister?"), WAIT, "the question", GW)
        send_chat(client, GW, "yes")
        box.message(body_has("You are unregistered."), WAIT, "'You are unregistered.'", GW)
    else:
        form = run_command(run.admin, GW, "delete-user")
        if form.status != "executing" or "jid" not in form.fields:
            raise AssertionError(f"no form with a field jid: {form}")
        done = run_command(run.admin, GW, "delete-user", {"jid": jid}, form.sessionid,
                           "complete")
        if done.status != "completed" or done.note != f"Deleted {jid}.":
            raise AssertionError(f"not completed: {done}")
    return True


def one_path(run, path, user):
    name = f"{path} ({user})"
    client = run.connect(user, plugins=["xep_0050"])
    if client is None:
        return run.table.append((path, "-", "-", "NOT CONNECTED"))
    box = run.inbox[user]
    if not run.attempt(f"{name}: registered", register_set, client, GW,
                       {"username": f"{user}-echo", "password": "pw"}):
        return run.table.append((path, "-", "-", "NOT REGISTERED"))
    before = run.attempt(f"{name}: alice, bob, carol and the gateway with subscription both "
                         "in the server roster", harness.wait_until, lambda: joined(run, client),
                         WAIT, 0.25, "roster complete")
    if before is None:
        return run.table.append((path, "(incomplete)", shown_now(client), "FAIL"))
    if not run.attempt(f"{name}: left", leave, run, path, client, box):
        return run.table.append((path, shown(before), shown_now(client), "FAIL"))
    info = run.attempt(f"{name}: XEP-0077 get answered", register_get, client, GW)
    if info is not None:
        run.check(f"{name}: no longer <registered/>", not info["registered"])
    what = ("no contact left, nothing subscribed or asked" if run.privileged
            else "nothing of the gateway's domain subscribed or asked")
    clean = run.attempt(f"{name}: {what}", harness.wait_until, lambda: left(run, client),
                        WAIT, 0.25, "roster clean")
    if clean is not None:   # late stanzas would show now
        client.run(asyncio.sleep(SETTLE), SETTLE + 1)
    after = run.attempt(f"{name}: roster read again", server_roster, client)
    if after is None:
        return run.table.append((path, shown(before), "(no roster)", "FAIL"))
    bad = leftovers(after, run.privileged)
    if clean is not None:
        run.check(f"{name}: still so {SETTLE:.0f} s later", not bad, f"got {shown(after)}")
    run.table.append((path, shown(before), shown(after), "ok" if clean and not bad else "FAIL"))
    print(f"# {run.label}, {path}: the server roster holds {shown(after)}", flush=True)


def every_path(run):
    run.admin = run.connect("admin", plugins=["xep_0050"])
    if run.admin is None or not run.start_gateway(
            "--echo.registration", "form", "--gateway.admins", run.jid("admin")):
        return
    for path, user in PATHS.items():
        one_path(run, path, user)
    mode = "roster push" if run.privileged else "unsubscription"
    run.check(f"gateway log: contacts leave by {mode}",
              f"contacts leave their roster by {mode}" in run.gateway_log(), "no such line")
    if run.refused_pushes:
        count = run.gateway_log().count("the server refused a roster push (XEP-0356)")
        run.check(f"gateway log: the refused roster push, once for each of {len(PATHS)} users",
                  count == len(PATHS), f"{count} lines")


def one_run(binary, checks, privileged):
    with Run(binary, checks, privileged) as run:
        if run.started:
            every_path(run)
    return [(run.label, *row) for row in run.table]


def main(binary):
    checks = Checks()
    t0 = time.monotonic()
    rows = one_run(binary, checks, True) + one_run(binary, checks, False)
    print("# mode        path               verdict  server roster before -> after leaving")
    for label, path, before, after, verdict in rows:
        print(f"# {label:<11} {path:<18} {verdict:<8} {before} -> {after}")
    print(f"# total {time.monotonic() - t0:.1f} s", flush=True)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
