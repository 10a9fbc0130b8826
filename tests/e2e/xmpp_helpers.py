# Small XMPP helpers for the end-to-end tests, on top of client.Client: an Inbox that
# collects a client's incoming messages and presences (raw slixmpp handlers) and waits
# for an expected one with a timeout; XEP-0077 (jabber:iq:register) request builders
# and a parser for the registration query; messages with extension elements (receipts,
# markers, replies, reactions, corrections, retractions) and their parsing. Used by
# scenario.py, the test_*.py that talk to the gateway, and demo.py.
import asyncio
import time
import xml.etree.ElementTree as ET

from slixmpp.exceptions import IqError
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

REGISTER_NS = "jabber:iq:register"
XDATA_NS = "jabber:x:data"
OOB_NS = "jabber:x:oob"
STANZAS_NS = "urn:ietf:params:xml:ns:xmpp-stanzas"
ROSTER_NS = "jabber:iq:roster"
NICK_NS = "http://jabber.org/protocol/nick"
RECEIPTS_NS = "urn:xmpp:receipts"
MARKERS_NS = "urn:xmpp:chat-markers:0"
CHATSTATES_NS = "http://jabber.org/protocol/chatstates"
REPLY_NS = "urn:xmpp:reply:0"
REACTIONS_NS = "urn:xmpp:reactions:0"
CORRECT_NS = "urn:xmpp:message-correct:0"
RETRACT_NS = "urn:xmpp:message-retract:1"
FALLBACK_NS = "urn:xmpp:fallback:0"
HINTS_NS = "urn:xmpp:hints"


class Inbox:
    """Every <message/> and <presence/> a Client's current stream receives, in order, and
    roster pushes (kind "roster": the <iq type='set'>). attach() after each
    Client.connect() (a reconnect makes a new stream object)."""

    def __init__(self, client):
        self.client, self.items = client, []   # items: (kind, stanza)

    def attach(self):
        xmpp = self.client.xmpp
        for kind in ("message", "presence"):
            xmpp.register_handler(Callback(
                f"inbox {kind}", MatchXPath(f"{{{xmpp.default_ns}}}{kind}"),
                lambda stanza, kind=kind: self.items.append((kind, stanza))))
        xmpp.register_handler(Callback(
            "inbox roster push", MatchXPath(f"{{{xmpp.default_ns}}}iq/{{{ROSTER_NS}}}query"),
            lambda iq: iq["type"] == "set" and self.items.append(("roster", iq))))
        return self

    def clear(self):
        self.items.clear()

    def find(self, kind, pred):
        """The first stanza of `kind` matching pred (removed from the inbox), or None."""
        for i, (k, stanza) in enumerate(self.items):
            if k == kind and pred(stanza):
                del self.items[i]
                return stanza
        return None

    def expect(self, kind, pred, timeout, what, alive=None):
        """Wait up to `timeout` s for a stanza of `kind` matching pred; TimeoutError
        (listing what did arrive) if none does. alive(): called while waiting, raises
        to give up early (e.g. the gateway died)."""
        async def poll():
            deadline = time.monotonic() + timeout
            while True:
                found = self.find(kind, pred)
                if found is not None:
                    return found
                if alive is not None:
                    alive()
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"no {what} within {timeout:.0f} s; "
                                       f"{self.client.jid} got: {self.summary()}")
                await asyncio.sleep(0.05)
        return self.client.run(poll(), timeout + 5)

    def message(self, pred, timeout, what, frm=None):
        return self.expect("message", lambda m: (frm is None or m["from"].bare == frm)
                           and pred(m), timeout, what)

    def presence(self, ptype, frm, timeout):
        return self.expect("presence", lambda p: p["type"] == ptype and p["from"].bare == frm,
                           timeout, f"presence type={ptype!r} from {frm}")

    def summary(self, limit=12):
        out = []
        for kind, s in self.items[-limit:]:
            if kind == "message":
                body = s["body"]
                out.append(f"message {s['type']} from {s['from']}: "
                           f"{body[:60]!r}" if body else f"message {s['type']} from "
                           f"{s['from']} (no body: {payload_names(s)})")
            elif kind == "roster":
                out.append("roster push " + ", ".join(
                    i.get("jid", "?") for i in s.xml.iter(f"{{{ROSTER_NS}}}item")))
            else:
                out.append(f"presence {s['type']} from {s['from']}")
        return "[" + "; ".join(out) + "]" if out else "nothing"


def body_has(text):
    return lambda m: text in (m["body"] or "")


def body_starts(text):
    return lambda m: (m["body"] or "").startswith(text)


def error_condition(exc):
    """(condition, text) of an IqError; anything else re-raised."""
    if not isinstance(exc, IqError):
        raise exc
    err = exc.iq["error"]
    return err["condition"], err["text"] or ""


def _send(client, iq, timeout=None):
    t = timeout or client.timeout
    return client.run(iq.send(timeout=t), t + 1)


def register_get(client, jid, timeout=None):
    """XEP-0077 get. Returns a dict: instructions (str or None), legacy (set of plain
    child names), values (plain children's texts), registered (bool), fields
    ({var: {'type', 'required', 'values'}} of the x-data form, None when absent)."""
    iq = client.xmpp.make_iq_get(queryxmlns=REGISTER_NS, ito=jid)
    query = _send(client, iq, timeout).xml.find(f"{{{REGISTER_NS}}}query")
    if query is None:
        raise AssertionError(f"result has no <query xmlns='{REGISTER_NS}'/>")
    out = {"instructions": None, "legacy": set(), "values": {}, "registered": False,
           "fields": None}
    for child in query:
        ns, _, name = child.tag[1:].partition("}")
        if ns == REGISTER_NS:
            if name == "instructions":
                out["instructions"] = child.text or ""
            elif name == "registered":
                out["registered"] = True
            else:
                out["legacy"].add(name)
                out["values"][name] = child.text or ""
        elif ns == XDATA_NS and name == "x":
            out["fields"] = {
                f.get("var"): {"type": f.get("type"),
                               "required": f.find(f"{{{XDATA_NS}}}required") is not None,
                               "values": [v.text or "" for v in
                                          f.findall(f"{{{XDATA_NS}}}value")]}
                for f in child.findall(f"{{{XDATA_NS}}}field")}
    return out


def register_set(client, jid, fields, form=True, timeout=None):
    """XEP-0077 set: an x-data submit form (form=True, with FORM_TYPE) or the plain
    <username/><password/>… children. Raises IqError on an error reply."""
    query = ET.Element(f"{{{REGISTER_NS}}}query")
    if form:
        x = ET.SubElement(query, f"{{{XDATA_NS}}}x", type="submit")
        for var, value in [("FORM_TYPE", REGISTER_NS)] + list(fields.items()):
            field = ET.SubElement(x, f"{{{XDATA_NS}}}field", var=var)
            if var == "FORM_TYPE":
                field.set("type", "hidden")
            ET.SubElement(field, f"{{{XDATA_NS}}}value").text = value
    else:
        for var, value in fields.items():
            ET.SubElement(query, f"{{{REGISTER_NS}}}{var}").text = value
    return _send(client, client.xmpp.make_iq_set(sub=query, ito=jid), timeout)


def register_remove(client, jid, timeout=None):
    query = ET.Element(f"{{{REGISTER_NS}}}query")
    ET.SubElement(query, f"{{{REGISTER_NS}}}remove")
    return _send(client, client.xmpp.make_iq_set(sub=query, ito=jid), timeout)


def send_chat(client, to, body):
    client.xmpp.send_message(mto=to, mbody=body, mtype="chat")


def oob_url(message):
    """The <x xmlns='jabber:x:oob'><url/> of a message, or None."""
    url = message.xml.find(f"{{{OOB_NS}}}x/{{{OOB_NS}}}url")
    return None if url is None else (url.text or "").strip()


def payload_names(stanza):
    """The local names of a stanza's children, e.g. 'body,reply,active'."""
    return ",".join(c.tag.partition("}")[2] or c.tag for c in stanza.xml)


def child(stanza, ns, name):
    """The ElementTree child {ns}name of a slixmpp stanza, or None."""
    return stanza.xml.find(f"{{{ns}}}{name}")


def child_id(stanza, ns, name):
    """The id attribute of the child {ns}name, or None if there is no such child."""
    c = child(stanza, ns, name)
    return None if c is None else c.get("id")


def element(ns, name, text=None, children=(), **attrs):
    e = ET.Element(f"{{{ns}}}{name}", {k: v for k, v in attrs.items() if v is not None})
    e.text = text
    e.extend(children)
    return e


def send_message(client, to, body=None, mid=None, extra=()):
    """A chat message with optional body, id and extension elements (see element())."""
    msg = client.xmpp.make_message(mto=to, mbody=body, mtype="chat")
    if mid:
        msg["id"] = mid
    for e in extra:
        msg.xml.append(e)
    msg.send()
    return msg


def receipt_request():
    return element(RECEIPTS_NS, "request")


def correction(target_id):
    return element(CORRECT_NS, "replace", id=target_id)


def retraction(target_id):
    """XEP-0424 retraction with the fallback body old clients show."""
    return [element(RETRACT_NS, "retract", id=target_id),
            element(FALLBACK_NS, "fallback", **{"for": RETRACT_NS}),
            element(HINTS_NS, "store")]


def reaction(target_id, *emojis):
    return [element(REACTIONS_NS, "reactions", id=target_id,
                    children=[element(REACTIONS_NS, "reaction", e) for e in emojis]),
            element(HINTS_NS, "store")]


def reactions_of(message):
    """(target id, [emoji, ...]) of a XEP-0444 message, or None."""
    r = child(message, REACTIONS_NS, "reactions")
    if r is None:
        return None
    return r.get("id"), [e.text or "" for e in r.findall(f"{{{REACTIONS_NS}}}reaction")]


def nick_of(presence):
    n = child(presence, NICK_NS, "nick")
    return None if n is None else (n.text or "")


def roster_items(client, fresh=False):
    """{bare jid: {'name', 'subscription', 'groups'}} of the client's roster: what
    slixmpp keeps from the initial fetch and later pushes, or (fresh=True) a new
    roster get answered by the server."""
    if fresh:
        iq = client.xmpp.make_iq_get(queryxmlns=ROSTER_NS)
        t = client.timeout
        query = client.run(iq.send(timeout=t), t + 1).xml.find(f"{{{ROSTER_NS}}}query")
        return {i.get("jid"): {"name": i.get("name") or "",
                               "subscription": i.get("subscription") or "none",
                               "groups": [g.text or "" for g in i.findall(f"{{{ROSTER_NS}}}group")]}
                for i in query.findall(f"{{{ROSTER_NS}}}item")}
    roster = client.xmpp.client_roster
    return {str(j): {"name": roster[j]["name"], "subscription": roster[j]["subscription"],
                     "groups": list(roster[j]["groups"])} for j in roster.keys()}
