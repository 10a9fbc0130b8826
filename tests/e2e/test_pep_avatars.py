#!/usr/bin/python3
# End-to-end test of contacts' PEP avatars and nicks (XEP-0084, XEP-0172) and the lounge's
# avatar (XEP-0486) through legate-echo, against a private Prosody 0.12 or ejabberd 23.01
# (LEGATE_E2E_SERVER). tester registers (two-factor) from "phone", a slixmpp client with the
# PEP plugins (xep_0084, xep_0172, xep_0115: its caps list the +notify features); alice,
# bob and carol join its roster by subscription. Then: alice's and bob's metadata events
# (96x96 PNG, 40-hex ids, distinct) and nick events reach the phone; alice's data fetched by
# id is a PNG whose SHA-1 is the id, and her presence photo hash (XEP-0153) and vCard carry
# the same; an unknown id is item-not-found; a "desk" client without caps and a "laptop"
# with caps but no +notify (the gateway looks them up) get no event; "avatar" to alice pushes a new metadata event with a new id whose data matches,
# and her next presence has that hash; the lounge's vCard and roominfo hash agree.
# Usage: /usr/bin/python3 test_pep_avatars.py PATH/TO/legate-echo
import asyncio
import base64
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import Checks, Scenario, run_test  # noqa: E402
from slixmpp.xmlstream.handler import Callback  # noqa: E402
from slixmpp.xmlstream.matcher import MatchXPath  # noqa: E402
from xmpp_helpers import Inbox, element, send_chat  # noqa: E402

GW = "gw.localhost"
CODE = "123456"
TOTAL_TIMEOUT = 90
WAIT = 10
ALICE, BOB, CAROL = f"alice@{GW}", f"bob@{GW}", f"carol@{GW}"
LOUNGE = f"lounge@{GW}"
PUBSUB = "http://jabber.org/protocol/pubsub"
EVENT = "http://jabber.org/protocol/pubsub#event"
METADATA, DATA = "urn:xmpp:avatar:metadata", "urn:xmpp:avatar:data"
NICK = "http://jabber.org/protocol/nick"
VCARD, UPDATE = "vcard-temp", "vcard-temp:x:update"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DISCO_INFO, XDATA = "http://jabber.org/protocol/disco#info", "jabber:x:data"
PEP_PLUGINS = ["xep_0030", "xep_0115", "xep_0163", "xep_0084", "xep_0172"]


def event_item(message, node):
    """The <item/> of a pubsub event for `node` in a headline message, or None."""
    if message["type"] != "headline":
        return None
    for items in message.xml.iter(f"{{{EVENT}}}items"):
        if items.get("node") == node:
            return items.find(f"{{{EVENT}}}item")
    return None


def query(client, to, payload, timeout=5):
    iq = client.xmpp.make_iq_get(ito=to)
    iq.append(payload)
    return client.run(iq.send(timeout=timeout), timeout + 1)


def items(client, to, node, item_id=None):
    inner = element(PUBSUB, "items", node=node,
                    children=[element(PUBSUB, "item", id=item_id)] if item_id else [])
    reply = query(client, to, element(PUBSUB, "pubsub", children=[inner]))
    return reply.xml.find(f"{{{PUBSUB}}}pubsub/{{{PUBSUB}}}items/{{{PUBSUB}}}item")


def data_of(client, to, item_id):
    item = items(client, to, DATA, item_id)
    return base64.b64decode(item.find(f"{{{DATA}}}data").text)


def photo_hash(presence):
    x = presence.xml.find(f"{{{UPDATE}}}x/{{{UPDATE}}}photo")
    return None if x is None else (x.text or "")


class Run(Scenario):
    def __init__(self, binary, checks):
        super().__init__(binary, checks, users=("tester",), wait=WAIT, sender=None,
                         end_check="gateway exits 0 on SIGTERM at the end")

    def ready(self):
        return bool(self.started and self.connect("tester", plugins=PEP_PLUGINS,
                                                  check="tester/e2e (PEP plugins) connected")
                    and self.start_gateway("--echo.registration", "two-factor", "--echo.code",
                                           CODE)
                    and self.register_two_factor(CODE) and self.logged_in())


def metadata_event(run, contact, what, exclude=None):
    def match(m):
        item = event_item(m, METADATA)
        return item is not None and item.get("id") != exclude
    m = run.expect(what, match, frm=contact)
    if m is None:
        return None
    item = event_item(m, METADATA)
    info = item.find(f"{{{METADATA}}}metadata/{{{METADATA}}}info")
    run.check(f"…{contact}: a 96x96 image/png, id = info id (40 hex)",
              info is not None and info.get("type") == "image/png"
              and info.get("width") == "96" and info.get("height") == "96"
              and info.get("id") == item.get("id") and len(item.get("id") or "") == 40,
              f"item {item.get('id')}, info {None if info is None else info.attrib}")
    return item.get("id")


def pep(run):
    t0 = time.monotonic()
    ids = {c: metadata_event(run, c, f"{c}'s avatar metadata event (+notify)")
           for c in (ALICE, BOB)}
    print(f"# events within {time.monotonic() - t0:.1f} s of the login", flush=True)
    run.check("alice and bob have distinct avatars", None not in ids.values()
              and ids[ALICE] != ids[BOB], f"{ids}")
    for contact, name in ((ALICE, "Alice Echo"), (BOB, "Bob Echo")):
        m = run.expect(f"{contact}'s nick event '{name}'",
                       lambda m: (i := event_item(m, NICK)) is not None
                       and i.findtext(f"{{{NICK}}}nick") == name, frm=contact)
        run.check(f"…{contact}'s nick event came", m is not None)
    carol = run.box.find("message", lambda m: m["from"].bare == CAROL
                         and event_item(m, METADATA) is not None)
    run.check("carol (no avatar): no metadata event, or an empty one",
              carol is None or len(list(event_item(carol, METADATA).iter(
                  f"{{{METADATA}}}info"))) == 0, str(carol))
    if ids[ALICE] is None:
        return None
    data = run.attempt("alice's avatar data by id", data_of, run.client, ALICE, ids[ALICE])
    if data is not None:
        run.check("…a PNG whose SHA-1 is the id", data.startswith(PNG_MAGIC)
                  and hashlib.sha1(data).hexdigest() == ids[ALICE],
                  f"{len(data)} bytes, sha1 {hashlib.sha1(data).hexdigest()}")
    nick = run.attempt("alice's nick item", items, run.client, ALICE, NICK)
    run.check("…'Alice Echo'", nick is not None and nick.findtext(f"{{{NICK}}}nick")
              == "Alice Echo")
    try:
        items(run.client, ALICE, DATA, "0" * 40)
        run.check("an unknown item id is item-not-found", False, "it answered")
    except Exception as e:  # noqa: BLE001
        run.check("an unknown item id is item-not-found",
                  getattr(e, "iq", None) is not None
                  and e.iq["error"]["condition"] == "item-not-found", harness.describe(e))
    sync_with_vcard(run, ids[ALICE])
    return ids[ALICE]


def sync_with_vcard(run, avatar_id):
    """XEP-0153: alice's presence hash and vCard photo are the PEP avatar."""
    p = run.expect("alice's presence carries a photo hash",
                   lambda p: p["type"] != "unavailable" and photo_hash(p), frm=ALICE,
                   kind="presence")
    run.check("…equal to the PEP id", p is not None and photo_hash(p) == avatar_id,
              f"{None if p is None else photo_hash(p)}")
    card = run.attempt("alice's vCard", query, run.client, ALICE, element(VCARD, "vCard"))
    if card is not None:
        binval = card.xml.findtext(f"{{{VCARD}}}vCard/{{{VCARD}}}PHOTO/{{{VCARD}}}BINVAL")
        photo = base64.b64decode(binval or "")
        run.check("…its photo has the same SHA-1", hashlib.sha1(photo).hexdigest() == avatar_id)


def other_clients(run):
    """tester/desk (no caps at all) and tester/laptop (caps without +notify, announced after
    its Inbox is attached, so nothing the gateway sends it can be missed): no pubsub event for
    either, once the gateway has looked laptop's caps up."""
    boxes = {}
    for resource, plugins in (("desk", ()), ("laptop", ["xep_0115"])):
        client = harness.Client(run.prosody, "tester", "tester-pw", resource=resource,
                                timeout=5, plugins=plugins)
        run.clients[resource] = client
        if not run.attempt(f"tester/{resource} connected", client.connect):
            return
        boxes[resource] = run.inbox[resource] = Inbox(client).attach()
    laptop = run.clients["laptop"]
    asked = []
    laptop.xmpp.register_handler(Callback(
        "disco#info from the gateway", MatchXPath(f"{{jabber:client}}iq/{{{DISCO_INFO}}}query"),
        lambda iq: iq["type"] == "get" and iq["from"].domain == GW and asked.append(iq)))
    # xep_0115 alone sends no caps: computed and announced now, without +notify.
    run.attempt("tester/laptop announces caps without +notify", laptop.run,
                laptop.xmpp["xep_0115"].update_caps(broadcast=True))

    async def gateway_asked():  # the shared loop must run meanwhile (not time.sleep)
        while not asked:
            await asyncio.sleep(0.05)
    run.attempt("the gateway asks tester/laptop's disco#info", laptop.run, gateway_asked(),
                WAIT)
    laptop.run(asyncio.sleep(2.0), 3)
    for resource, box in boxes.items():
        got = [m for k, m in box.items if k == "message"
               and m.xml.find(f".//{{{EVENT}}}event") is not None]
        run.check(f"tester/{resource} gets no pubsub event (2 s)", not got, f"{len(got)} events")


def change(run, old_id):
    send_chat(run.client, ALICE, "avatar")
    new_id = metadata_event(run, ALICE, "'avatar' to alice: a new metadata event",
                            exclude=old_id)
    run.check("…with a new id", new_id is not None and new_id != old_id, f"{new_id}")
    if new_id is None:
        return
    data = run.attempt("…its data", data_of, run.client, ALICE, new_id)
    run.check("…whose SHA-1 is the new id",
              data is not None and hashlib.sha1(data).hexdigest() == new_id)
    p = run.expect("alice's presence with the new hash",
                   lambda p: photo_hash(p) == new_id, frm=ALICE, kind="presence")
    run.check("…came", p is not None)


def lounge(run):
    card = run.attempt("the lounge's vCard", query, run.client, LOUNGE, element(VCARD, "vCard"))
    info = run.attempt("the lounge's disco#info", query, run.client, LOUNGE,
                       element(DISCO_INFO, "query"))
    if card is None or info is None:
        return
    photo = base64.b64decode(card.xml.findtext(
        f"{{{VCARD}}}vCard/{{{VCARD}}}PHOTO/{{{VCARD}}}BINVAL") or "")
    listed = [f.findtext(f"{{{XDATA}}}value") for f in info.xml.iter(f"{{{XDATA}}}field")
              if f.get("var") == "muc#roominfo_avatarhash"]
    run.check("the lounge's roominfo avatar hash is its vCard photo's SHA-1",
              photo.startswith(PNG_MAGIC) and listed == [hashlib.sha1(photo).hexdigest()],
              f"roominfo {listed!r}, vCard {len(photo)} bytes")


def main(binary):
    checks = Checks()
    with Run(binary, checks) as run:
        if run.ready():
            first = pep(run)
            other_clients(run)
            if first:
                change(run, first)
            lounge(run)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
