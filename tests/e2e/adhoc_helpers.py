# Helpers for the end-to-end tests of a gateway's commands, on top of client.Client:
# XEP-0004 data forms (a submit form builder, a parser for forms and result tables),
# XEP-0050 ad-hoc commands (through slixmpp's xep_0050 plugin: the Client needs
# plugins=["xep_0050"]), XEP-0055 search and XEP-0100 jabber:iq:gateway, and error
# replies with their application conditions. Split out of xmpp_helpers.py for size.
# Used by test_commands.py.
import xml.etree.ElementTree as ET

from slixmpp.exceptions import IqError

XDATA_NS = "jabber:x:data"
COMMANDS_NS = "http://jabber.org/protocol/commands"
SEARCH_NS = "jabber:iq:search"
IQ_GATEWAY_NS = "jabber:iq:gateway"
STANZAS_NS = "urn:ietf:params:xml:ns:xmpp-stanzas"


def _x(name):
    return f"{{{XDATA_NS}}}{name}"


def submit_form(fields, form_type="submit"):
    """An <x xmlns='jabber:x:data' type='submit'/> with one field per item of `fields`
    ({var: value or [values]}); booleans as '1'/'0'."""
    x = ET.Element(_x("x"), type=form_type)
    for var, value in fields.items():
        field = ET.SubElement(x, _x("field"), var=var)
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(v, bool):
                v = "1" if v else "0"
            ET.SubElement(field, _x("value")).text = v
    return x


def _field(f):
    return {"type": f.get("type") or "text-single", "label": f.get("label") or "",
            "required": f.find(_x("required")) is not None,
            "values": [v.text or "" for v in f.findall(_x("value"))],
            "options": [o.findtext(_x("value")) or "" for o in f.findall(_x("option"))]}


def parse_form(x):
    """A data form as a dict: type, title, instructions (list), fields ({var: {type,
    label, required, values, options}}), fixed (texts of fixed fields), reported (vars,
    in order) and items (one {var: first value} per row). None for None."""
    if x is None:
        return None
    form = {"type": x.get("type"), "title": x.findtext(_x("title")),
            "instructions": [i.text or "" for i in x.findall(_x("instructions"))],
            "fields": {}, "fixed": [], "reported": [], "items": []}
    for f in x.findall(_x("field")):
        if f.get("type") == "fixed":
            form["fixed"] += [v.text or "" for v in f.findall(_x("value"))]
        elif f.get("var"):
            form["fields"][f.get("var")] = _field(f)
    reported = x.find(_x("reported"))
    if reported is not None:
        form["reported"] = [f.get("var") for f in reported.findall(_x("field"))]
    for item in x.findall(_x("item")):
        form["items"].append({f.get("var"): f.findtext(_x("value")) or ""
                              for f in item.findall(_x("field"))})
    return form


def column(form, var):
    """The values of one column of a result table."""
    return [item.get(var) for item in (form or {}).get("items", [])]


class CommandReply:
    """A XEP-0050 <command/> reply: status, sessionid, node, notes [(type, text)], actions
    (set of allowed action names, plus 'execute=' the default), form (parse_form or None),
    iq and xml (the reply, for reports: str() is its XML)."""

    def __init__(self, iq):
        self.iq, self.xml = iq, iq.xml
        cmd = iq.xml.find(f"{{{COMMANDS_NS}}}command")
        if cmd is None:
            raise AssertionError(f"reply has no <command xmlns='{COMMANDS_NS}'/>: {iq}")
        self.status, self.sessionid = cmd.get("status"), cmd.get("sessionid")
        self.node = cmd.get("node")
        self.notes = [(n.get("type") or "info", n.text or "")
                      for n in cmd.findall(f"{{{COMMANDS_NS}}}note")]
        self.actions = set()
        actions = cmd.find(f"{{{COMMANDS_NS}}}actions")
        if actions is not None:
            self.actions = {a.tag.partition("}")[2] for a in actions}
            self.actions.add(f"execute={actions.get('execute') or ''}")
        self.form = parse_form(cmd.find(_x("x")))

    @property
    def fields(self):
        """The form's fields ({} when there is no form)."""
        return self.form["fields"] if self.form else {}

    @property
    def note(self):
        """The text of the first note ('' when there is none)."""
        return self.notes[0][1] if self.notes else ""

    def __str__(self):
        return str(self.iq)


def run_command(client, jid, node, fields=None, sessionid=None, action="execute",
                timeout=None):
    """Send one XEP-0050 request (a new command, or with `sessionid` the next step: the
    submitted `fields` as a form); returns a CommandReply. IqError on an error reply."""
    t = timeout or client.timeout
    payload = submit_form(fields) if fields is not None else None
    iq = client.run(client.xmpp["xep_0050"].send_command(
        jid, node, action=action, sessionid=sessionid, payload=payload, timeout=t), t + 1)
    return CommandReply(iq)


def command_items(client, jid, timeout=None):
    """The nodes of the command list (disco#items of node COMMANDS_NS)."""
    return {node for _, node, _ in client.disco_items(jid, COMMANDS_NS, timeout)}


def error_of(fn, *args, **kwargs):
    """Call fn expecting an error reply: (condition, text, [application condition
    names]), or None when it succeeded. Other exceptions propagate."""
    try:
        fn(*args, **kwargs)
    except IqError as e:
        err = e.iq.xml.find("{jabber:client}error")
        app = [] if err is None else [c.tag.partition("}")[2] for c in err
                                      if not c.tag.startswith(f"{{{STANZAS_NS}}}")]
        return e.iq["error"]["condition"], e.iq["error"]["text"] or "", app
    return None


def refusal(condition, app_condition, fn, *args):
    """Why fn(*args) did not get the error reply `condition` (with `app_condition`
    unless None): a text for a failed check, or '' when it did."""
    try:
        got = error_of(fn, *args)
    except Exception as e:  # noqa: BLE001 - e.g. no reply at all
        return f"{type(e).__name__}: {e}"
    if got is None:
        return "got a result"
    ok = got[0] == condition and (app_condition is None or app_condition in got[2])
    return "" if ok else f"got {got[0]} {got[1]!r}, application conditions {got[2]}"


def _send(client, iq, timeout):
    t = timeout or client.timeout
    return client.run(iq.send(timeout=t), t + 1)


def search_get(client, jid, timeout=None):
    """XEP-0055 get: {'instructions': str or None, 'form': parse_form or None}."""
    iq = client.xmpp.make_iq_get(queryxmlns=SEARCH_NS, ito=jid)
    query = _send(client, iq, timeout).xml.find(f"{{{SEARCH_NS}}}query")
    if query is None:
        raise AssertionError(f"result has no <query xmlns='{SEARCH_NS}'/>")
    return {"instructions": query.findtext(f"{{{SEARCH_NS}}}instructions"),
            "form": parse_form(query.find(_x("x")))}


def search_set(client, jid, fields, timeout=None):
    """XEP-0055 set with a submitted form; returns the result form (parse_form)."""
    query = ET.Element(f"{{{SEARCH_NS}}}query")
    query.append(submit_form(fields))
    result = _send(client, client.xmpp.make_iq_set(sub=query, ito=jid), timeout)
    return parse_form(result.xml.find(f"{{{SEARCH_NS}}}query/{_x('x')}"))


def gateway_get(client, jid, timeout=None):
    """XEP-0100 get: {'desc': str or None, 'prompt': str or None}."""
    iq = client.xmpp.make_iq_get(queryxmlns=IQ_GATEWAY_NS, ito=jid)
    query = _send(client, iq, timeout).xml.find(f"{{{IQ_GATEWAY_NS}}}query")
    if query is None:
        raise AssertionError(f"result has no <query xmlns='{IQ_GATEWAY_NS}'/>")
    return {k: query.findtext(f"{{{IQ_GATEWAY_NS}}}{k}") for k in ("desc", "prompt")}


def gateway_prompt(client, jid, prompt, timeout=None):
    """XEP-0100 set: the JID the gateway makes of `prompt` (None if the reply has none)."""
    query = ET.Element(f"{{{IQ_GATEWAY_NS}}}query")
    ET.SubElement(query, f"{{{IQ_GATEWAY_NS}}}prompt").text = prompt
    result = _send(client, client.xmpp.make_iq_set(sub=query, ito=jid), timeout)
    return result.xml.findtext(f"{{{IQ_GATEWAY_NS}}}query/{{{IQ_GATEWAY_NS}}}jid")
