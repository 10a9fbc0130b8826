#!/usr/bin/python3
# End-to-end test of read state across devices through legate-echo (XEP-0490 MDS for groups,
# XEP-0333 displayed carbons for 1:1), against a private Prosody 0.12 or ejabberd 23.01
# (LEGATE_E2E_SERVER) with PEP, carbons and mod_privilege (roster, outgoing messages and, where
# the server has it, the pubsub + pubsub#owner iq permission). tester registers (two-factor)
# from "desk", a slixmpp client whose caps list urn:xmpp:mds:displayed:0+notify, with carbons.
#   - The gateway's presence has caps; its disco#info for that node#ver lists the MDS +notify.
#   - Granted: after the login tester's urn:xmpp:mds:displayed:0 node exists, whitelist, with
#     the gateway a member (pubsub#owner queries of the user to their own account).
#   - desk joins the lounge and says "hello mds"; it publishes a displayed item for the lounge
#     naming bob's answer's stanza-id (as Gajim does): granted, the echo network logs that the
#     user read that message and alice reads it too (her marker in the lounge names the
#     stanza-id).
#   - "phone-read" to the lounge: the user reads bob's answer in the echo app. The lounge shows
#     the user's own marker (both servers); granted, desk gets the MDS event (item id the
#     lounge, the answer's stanza-id by the lounge), the item is in the user's node, and the
#     gateway does not take its own publish back as a read from XMPP.
#   - "phone-read" to alice after her echo: granted messages, desk gets a <sent/> carbon of a
#     XEP-0333 <displayed/> to alice naming the echo's id.
# ejabberd 23.01 has no iq permission and routes privileged messages past carbons: the gateway
# logs once that read markers are not synced, desk's own publish reaches nobody, and no carbon
# comes; the lounge's marker from the user's nick still does.
# Usage: /usr/bin/python3 test_mds.py PATH/TO/legate-echo
# One "ok - ..." / "not ok - ..." line per check; exit 0 only if all pass.
# LEGATE_KEEP_TMP=1 keeps the temp dirs, LEGATE_E2E_DEBUG=1 traces slixmpp.
import asyncio
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from muc_helpers import (CODE, GW, LOUNGE, NICK, WAIT, MucRun, frm, groupchat,  # noqa: E402
                         show, stanza_id)
from scenario import Checks, run_test  # noqa: E402
from xmpp_helpers import MARKERS_NS, element, send_chat  # noqa: E402

TOTAL_TIMEOUT = 90
QUIET = 1.5               # how long nothing may come where nothing should
PUBSUB = "http://jabber.org/protocol/pubsub"
OWNER, EVENT = PUBSUB + "#owner", PUBSUB + "#event"
MDS = "urn:xmpp:mds:displayed:0"
SID = "urn:xmpp:sid:0"
CAPS = "http://jabber.org/protocol/caps"
DISCO_INFO, XDATA = "http://jabber.org/protocol/disco#info", "jabber:x:data"
CARBONS, FORWARD, CLIENT = "urn:xmpp:carbons:2", "urn:xmpp:forward:0", "jabber:client"
ALICE = f"alice@{GW}"
GRANTED_IQ, GRANTED_CARBONS = harness.PRIVILEGED_IQ, harness.PRIVILEGED_CARBONS
NOT_SYNCED = "read markers: localhost grants no pubsub and pubsub#owner iq"
NODE_OPTIONS = {"pubsub#access_model": "whitelist", "pubsub#persist_items": "true",
                "pubsub#max_items": "max", "pubsub#send_last_published_item": "never"}
# ejabberd 23.01 knows neither pubsub#max_items nor pubsub#send_last_published_item there.
PUBLISH_OPTIONS = {k: v for k, v in NODE_OPTIONS.items() if harness.SERVER != "ejabberd"
                   or k in ("pubsub#access_model", "pubsub#persist_items")}


def server_config():
    grants = dict(roster="both", message="outgoing")
    if GRANTED_IQ:
        grants["iq"] = {PUBSUB: "both", OWNER: "set"}
    return dict(privilege=grants, modules=("pep", "carbons"))


def own_iq(client, kind, payload):
    """An iq from the client to its own bare JID; the reply's Element."""
    make = client.xmpp.make_iq_get if kind == "get" else client.xmpp.make_iq_set
    iq = make(ito=client.xmpp.boundjid.bare)
    iq.xml.append(payload)
    return client.run(iq.send(timeout=client.timeout), client.timeout + 1).xml


def form(form_type, fields):
    return element(XDATA, "x", type="submit", children=[
        element(XDATA, "field", var="FORM_TYPE", type="hidden",
                children=[element(XDATA, "value", text=form_type)])] + [
        element(XDATA, "field", var=var, children=[element(XDATA, "value", text=value)])
        for var, value in fields.items()])


def affiliations(client):
    """{jid: affiliation} of the user's MDS node, from its owner."""
    got = own_iq(client, "get", element(OWNER, "pubsub", children=[
        element(OWNER, "affiliations", node=MDS)]))
    return {a.get("jid"): a.get("affiliation") for a in got.iter(f"{{{OWNER}}}affiliation")}


def access_model(client):
    got = own_iq(client, "get", element(OWNER, "pubsub", children=[
        element(OWNER, "configure", node=MDS)]))
    for field in got.iter(f"{{{XDATA}}}field"):
        if field.get("var") == "pubsub#access_model":
            return field.findtext(f"{{{XDATA}}}value")
    return None


def mds_items(client):
    """{item id: stanza-id (by, id)} of the user's MDS node."""
    got = own_iq(client, "get", element(PUBSUB, "pubsub", children=[
        element(PUBSUB, "items", node=MDS)]))
    return {i.get("id"): displayed_sid(i) for i in got.iter(f"{{{PUBSUB}}}item")}


def displayed_sid(item):
    sid = item.find(f"{{{MDS}}}displayed/{{{SID}}}stanza-id")
    return None if sid is None else (sid.get("by"), sid.get("id"))


def publish_displayed(client, room, sid):
    """What Gajim does on reading a group: its displayed item, with XEP-0490's options
    (those ejabberd 23.01 knows: others are resource-constraint, "unknown field")."""
    item = element(PUBSUB, "item", id=room, children=[element(MDS, "displayed", children=[
        element(SID, "stanza-id", by=room, id=sid)])])
    own_iq(client, "set", element(PUBSUB, "pubsub", children=[
        element(PUBSUB, "publish", node=MDS, children=[item]),
        element(PUBSUB, "publish-options", children=[
            form(PUBSUB + "#publish-options", PUBLISH_OPTIONS)])]))
    return True


def want_mds(client):
    """Caps listing urn:xmpp:mds:displayed:0+notify, and carbons on."""
    xmpp = client.xmpp
    xmpp["xep_0030"].add_feature(MDS + "+notify")
    client.run(xmpp["xep_0115"].update_caps(broadcast=False))
    xmpp.send_presence()
    iq = xmpp.make_iq_set(sub=element(CARBONS, "enable"))
    client.run(iq.send(timeout=client.timeout), client.timeout + 1)
    return True


def mds_event(kind, e):
    """(item id, stanza-id) of an MDS pubsub event, or None."""
    if kind != "message":
        return None
    items = e.find(f"{{{EVENT}}}event/{{{EVENT}}}items")
    if items is None or items.get("node") != MDS:
        return None
    item = items.find(f"{{{EVENT}}}item")
    return None if item is None else (item.get("id"), displayed_sid(item))


def marker(e, nick):
    """The id of a groupchat <displayed/> from lounge/nick, or None."""
    d = e.find(f"{{{MARKERS_NS}}}displayed")
    return d.get("id") if d is not None and frm(e) == f"{LOUNGE}/{nick}" else None


def sent_copy(e):
    return e.find(f"{{{CARBONS}}}sent/{{{FORWARD}}}forwarded/{{{CLIENT}}}message")


class Run(MucRun):
    def __init__(self, binary, checks):
        super().__init__(binary, checks, "gateway exits 0 on SIGTERM at the end",
                         **server_config())

    def ready(self):
        return bool(self.started and self.connect_resource("desk", ["xep_0030", "xep_0115"])
                    and self.attempt("desk: caps with MDS +notify, carbons on", want_mds,
                                     self.clients["desk"])
                    and self.start_gateway("--echo.registration", "two-factor",
                                           "--echo.code", CODE)
                    and self.register_two_factor(CODE, NICK) and self.logged_in())

    def poll(self, fn, accept, timeout=WAIT):
        """fn() (an iq round trip) again until accept(result), the client's loop running in
        between; the last result (or exception)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                got = fn()
            except Exception as e:  # noqa: BLE001 (not there yet: item-not-found)
                got = e
            if accept(got) or time.monotonic() >= deadline:
                return got
            self.client.run(asyncio.sleep(0.2), 1)

    def quiet(self, seconds=QUIET):
        self.client.run(asyncio.sleep(seconds), seconds + 1)

    def log_lines(self, pattern):
        return re.findall(pattern, self.gateway_log(), re.MULTILINE)


def gateway_caps(run):
    p = run.box.find("presence", lambda p: p["from"].bare == GW
                     and p.xml.find(f"{{{CAPS}}}c") is not None)
    c = None if p is None else p.xml.find(f"{{{CAPS}}}c")
    if not run.check("the gateway's presence carries caps (XEP-0115)", c is not None):
        return
    iq = run.client.xmpp.make_iq_get(ito=GW)
    iq.xml.append(element(DISCO_INFO, "query", node=f"{c.get('node')}#{c.get('ver')}"))
    got = run.attempt("its disco#info for node#ver answers", run.client.run,
                      iq.send(timeout=5), 6)
    if got is not None:
        features = {f.get("var") for f in got.xml.iter(f"{{{DISCO_INFO}}}feature")}
        run.check(f"…listing {MDS}+notify", MDS + "+notify" in features, f"{sorted(features)}")


def node_setup(run):
    if not GRANTED_IQ:
        run.quiet()
        run.check("the gateway logs once that group read state is not synced",
                  len(run.log_lines(re.escape(NOT_SYNCED))) == 1)
        return
    got = run.poll(lambda: affiliations(run.client),
                   lambda a: isinstance(a, dict) and a.get(GW) == "member")
    run.check("the gateway is a member of tester's MDS node (pubsub#owner affiliations)",
              isinstance(got, dict) and got.get(GW) == "member", harness.describe(got)
              if isinstance(got, Exception) else f"{got}")
    model = run.attempt("the node's configuration", access_model, run.client)
    run.check("…access model whitelist", model == "whitelist", f"{model}")


def say_in_lounge(run, body):
    """desk says `body` in the lounge: (the mark before, the stanza-id of bob's answer)."""
    mark = run.mark("desk")
    run.send("desk", groupchat(LOUNGE, run.next_id("mds"), body=body))
    got = run.expect_raw(f"bob answers '{body}'", "desk", mark, LOUNGE,
                         lambda k, e: k == "message" and frm(e) == f"{LOUNGE}/bob"
                         and e.findtext(f"{{{CLIENT}}}body") == f"bob heard: {body}")
    return mark, None if got is None else stanza_id(got[2], LOUNGE)


def read_on_desk(run):
    _, sid = say_in_lounge(run, "hello mds")
    if not sid:
        return
    mark = run.mark("desk")
    if not run.attempt("desk publishes a displayed item for the lounge (bob's answer)",
                       publish_displayed, run.client, LOUNGE, sid):
        return
    if not GRANTED_IQ:
        run.quiet()
        run.check("the echo network learns nothing (no grant, the gateway is no member)",
                  not run.log_lines(r"echo: tester@localhost read \S+ in lounge$"))
        return
    got = run.expect_raw("alice reads it too: her marker in the lounge names its stanza-id",
                         "desk", mark, LOUNGE, lambda k, e: k == "message"
                         and marker(e, "alice") == sid)
    if got is not None:
        run.check("the echo network logs that tester read it",
                  len(run.log_lines(r"echo: tester@localhost read \S+ in lounge$")) == 1)


def read_on_phone(run):
    mark, sid = say_in_lounge(run, "phone-read")
    if not sid:
        return
    run.expect_raw("the lounge shows the user's own marker naming bob's answer", "desk", mark,
                   LOUNGE, lambda k, e: k == "message" and marker(e, NICK) == sid)
    phone = run.log_lines(r"echo: tester@localhost read (\S+) in lounge from their phone")
    if not GRANTED_IQ:
        run.quiet()
        events = [e for _, k, e in run.since("desk", mark) if mds_event(k, e)]
        run.check("no MDS event (no grant)", not events, f"{len(events)}")
        return
    got = run.expect_raw("desk gets the MDS event of the lounge", "desk", mark, None,
                         lambda k, e: mds_event(k, e) is not None
                         and mds_event(k, e)[0] == LOUNGE)
    if got is not None:
        run.check("…naming bob's answer by the lounge's stanza-id",
                  mds_event("message", got[2])[1] == (LOUNGE, sid), show("message", got[2]))
    items = run.attempt("the user's MDS node", mds_items, run.client)
    run.check("…holds the lounge's item with that stanza-id",
              items is not None and items.get(LOUNGE) == (LOUNGE, sid), f"{items}")
    run.quiet()
    echoed = [i for i in phone
              if run.log_lines(rf"echo: tester@localhost read {re.escape(i)} in lounge$")]
    run.check("the gateway does not take its own publish back as a read from XMPP",
              len(phone) == 1 and not echoed, f"phone {phone}, echoed {echoed}")


def one_to_one(run):
    mark = run.mark("desk")
    send_chat(run.client, ALICE, "hi")
    got = run.expect_raw("alice echoes 'hi'", "desk", mark, ALICE,
                         lambda k, e: k == "message"
                         and (e.findtext(f"{{{CLIENT}}}body") or "").startswith("Echo ("))
    if got is None:
        return
    echo_id = got[2].get("id")
    mark = run.mark("desk")
    send_chat(run.client, ALICE, "phone-read")

    def carbon(k, e):
        inner = sent_copy(e) if k == "message" else None
        d = None if inner is None else inner.find(f"{{{MARKERS_NS}}}displayed")
        return d is not None and inner.get("to") == ALICE and d.get("id") == echo_id
    if GRANTED_CARBONS:
        run.expect_raw("'phone-read' to alice: a <sent/> carbon of <displayed/> naming her echo",
                       "desk", mark, None, carbon)
    else:
        run.quiet()
        run.check("'phone-read' to alice: no carbon (the server cannot copy it)",
                  not any(carbon(k, e) for _, k, e in run.since("desk", mark)))
    run.check("the echo network logged the phone's read",
              bool(run.log_lines(r"echo: tester@localhost read \S+ of alice on their phone")))


def main(binary):
    checks = Checks()
    with Run(binary, checks) as run:
        if run.ready():
            gateway_caps(run)
            node_setup(run)
            if run.send_join("desk joins the lounge", "desk", LOUNGE, NICK,
                             run.next_id("join")):
                read_on_desk(run)
                read_on_phone(run)
            one_to_one(run)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
