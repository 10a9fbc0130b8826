# Small XMPP helpers for the end-to-end tests, on top of client.Client: an Inbox that
# collects a client's incoming messages and presences (raw slixmpp handlers) and waits
# for an expected one with a timeout; XEP-0077 (jabber:iq:register) request builders
# and a parser for the registration query. Used by test_registration.py.
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


class Inbox:
    """Every <message/> and <presence/> a Client's current stream receives, in order.
    attach() after each Client.connect() (a reconnect makes a new stream object)."""

    def __init__(self, client):
        self.client, self.items = client, []   # items: (kind, stanza)

    def attach(self):
        xmpp = self.client.xmpp
        for kind in ("message", "presence"):
            xmpp.register_handler(Callback(
                f"inbox {kind}", MatchXPath(f"{{{xmpp.default_ns}}}{kind}"),
                lambda stanza, kind=kind: self.items.append((kind, stanza))))
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

    def expect(self, kind, pred, timeout, what):
        """Wait up to `timeout` s for a stanza of `kind` matching pred; TimeoutError
        (listing what did arrive) if none does."""
        async def poll():
            deadline = time.monotonic() + timeout
            while True:
                found = self.find(kind, pred)
                if found is not None:
                    return found
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
                           f"{s['from']} (no body)")
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
