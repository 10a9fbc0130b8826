# Shared helpers of the group chat (XEP-0045) end-to-end tests, test_groups.py and
# test_groups_requests.py: the echo network's rooms and the user's nick in them, accessors of
# raw stanzas (ElementTree elements: from, status codes, muc#user item, occupant and stanza
# ids, error condition) and a one-line show() for failure details, raw groupchat and join
# builders, RawLog (what a client's stream receives, copied before slixmpp parses it) and
# MucRun, a Scenario with tester connected from several resources, each with a raw log, that
# sends stanzas raw and waits for what its log receives; then the checks of a whole join
# sequence, of a reflection and of a participant's answer, of an error message, and the
# queries (self-ping, disco#info, muc#admin lists) that test_groups.py makes.
import asyncio
import copy
import time
from xml.sax.saxutils import escape, quoteattr

import harness
from scenario import Scenario
from xmpp_helpers import REPLY_NS, STANZAS_NS, Inbox, element
from slixmpp.exceptions import IqError
from slixmpp.jid import JID, InvalidJID

GW = "gw.localhost"
CODE = "123456"
NICK = "tester-echo"      # register_two_factor's username: the user's nick in every room
WAIT = 10                 # for each expected stanza
QUIET = 0.5               # how long nothing more may come after a join's subject (check_join)
RESOURCES = ("desk", "laptop")
LOUNGE, LOBBY = f"lounge@{GW}", f"lobby@{GW}"
LOUNGE_PEOPLE = {"alice": ("owner", f"alice@{GW}"), "bob": ("member", f"bob@{GW}")}
LOBBY_PEOPLE = {"carol": ("member", None), "dave": ("member", None)}   # nick: (affiliation, jid)
MUC_NS = "http://jabber.org/protocol/muc"
MUC_USER_NS, MUC_ADMIN_NS, MUC_OWNER_NS = MUC_NS + "#user", MUC_NS + "#admin", MUC_NS + "#owner"
SID_NS = "urn:xmpp:sid:0"
OCCUPANT_NS = "urn:xmpp:occupant-id:0"
CLIENT_NS = "jabber:client"
DISCO_INFO_NS = "http://jabber.org/protocol/disco#info"
ROLES = ("moderator", "participant", "visitor")


# --- raw stanzas (ElementTree elements: JIDs as sent, even invalid ones) ---

def frm(e):
    return e.get("from") or ""


def bare(jid):
    return jid.partition("/")[0]


def nick_of(e):
    return frm(e).partition("/")[2]


def muc_item(e):
    return e.find(f"{{{MUC_USER_NS}}}x/{{{MUC_USER_NS}}}item")


def codes(e):
    return {int(s.get("code", "0"))
            for s in e.findall(f"{{{MUC_USER_NS}}}x/{{{MUC_USER_NS}}}status")}


def item_reason(e):
    return e.findtext(f"{{{MUC_USER_NS}}}x/{{{MUC_USER_NS}}}item/{{{MUC_USER_NS}}}reason")


def occupant_id(e):
    return next((o.get("id") for o in e.iterfind(f"{{{OCCUPANT_NS}}}occupant-id")), None)


def stanza_id(e, by=None):
    """The id of e's stanza-id by `by` (None: any), or None."""
    return next((s.get("id") for s in e.iterfind(f"{{{SID_NS}}}stanza-id")
                 if by is None or s.get("by") == by), None)


def text_of(e, name):
    return e.findtext(f"{{{CLIENT_NS}}}{name}")


def error_of(e):
    """The defined condition of a stanza's <error/>, "?" if it has none, or None."""
    err = e.find(f"{{{CLIENT_NS}}}error")
    if err is None:
        return None
    return next((c.tag.partition("}")[2] for c in err
                 if c.tag.startswith(f"{{{STANZAS_NS}}}") and not c.tag.endswith("}text")), "?")


def is_subject(kind, e):
    return kind == "message" and e.find(f"{{{CLIENT_NS}}}subject") is not None


def is_presence_from(jid, ptype=None):
    """A predicate (kind, element): a presence from jid of type ptype (None: available)."""
    return lambda k, e: k == "presence" and frm(e) == jid and e.get("type") == ptype


def show(kind, e, limit=200):
    """One stanza for failure details, shortened."""
    text = e.get("type") or ("available" if kind == "presence" else "normal")
    extra = [f"item {dict(muc_item(e).attrib)} codes {sorted(codes(e))}"
             if kind == "presence" and muc_item(e) is not None else ""]
    extra += [f"{n} {text_of(e, n)!r}" for n in ("subject", "body") if text_of(e, n) is not None]
    extra += [f"error {error_of(e)}" if error_of(e) else "",
              "children " + ",".join(c.tag.partition("}")[2] for c in e)]
    line = f"{kind} {text} from {frm(e)[:80]} id={e.get('id')} " + "; ".join(x for x in extra if x)
    return line[:limit]


def shown(items):
    """The last few of a raw log's items (seq, kind, element), for failure details."""
    return "; ".join(show(k, e) for _, k, e in items[-8:]) or "nothing"


def groupchat(to, mid, inner="", body=None, origin=None):
    """A groupchat message, raw: the body (escaped) and origin-id if given, then `inner`."""
    inner = ("" if body is None else f"<body>{escape(body)}</body>") + (
        f"<origin-id xmlns='{SID_NS}' id={quoteattr(origin)}/>" if origin else "") + inner
    return f"<message to={quoteattr(to)} type='groupchat' id={quoteattr(mid)}>{inner}</message>"


def join_presence(room, nick, jid_id, extra=""):
    """A join of room as nick, raw, asking for no history (extra: more inside its <x/>)."""
    return (f"<presence to={quoteattr(room + '/' + nick)} id={quoteattr(jid_id)}>"
            f"<x xmlns='{MUC_NS}'><history maxchars='0'/>{extra}</x></presence>")


def join_parts(seq, room):
    """A join's stanzas from the room up to the subject: (self-presence, the participants'
    presences) if they are the participants' presences, then the self-presence from
    room/NICK, then the subject; (None, those before the last two) otherwise."""
    me, others = (seq[-2][2] if len(seq) >= 2 else None), [e for _, _, e in seq[:-2]]
    ordered = (me is not None and frm(me) == f"{room}/{NICK}"
               and all(k == "presence" for _, k, _ in seq[:-1])
               and all(frm(e) != frm(me) for e in others))
    return (me if ordered else None), others


def valid_jid(jid):
    try:
        JID(jid)
        return True
    except InvalidJID:
        return False


class RawLog:
    """Every stanza of `kinds` one client's stream receives, in order and never removed, as
    (sequence number, kind, raw Element), taken before slixmpp parses it (copied: JIDs as
    sent). A 'from' slixmpp cannot parse (Prosody bounces a stanza to an invalid JID from that
    JID) would make slixmpp drop the connection: it becomes its bare part, or goes, in the
    stanza slixmpp sees. mark() and since() slice the log."""

    def __init__(self, client, kinds=("message", "presence")):
        self.items = []
        xmpp = client.xmpp
        upstream = xmpp.incoming_filter

        def record(xml):
            xml = upstream(xml)
            kind = xml.tag.partition("}")[2]
            if kind in kinds:
                self.items.append((len(self.items), kind, copy.deepcopy(xml)))
                if xml.get("from") is not None and not valid_jid(xml.get("from")):
                    fixed = bare(xml.get("from"))
                    if valid_jid(fixed):
                        xml.set("from", fixed)
                    else:
                        del xml.attrib["from"]
            return xml
        xmpp.incoming_filter = record

    def mark(self):
        return len(self.items)

    def since(self, mark, room=None):
        return [i for i in self.items[mark:] if room is None or bare(frm(i[2])) == room]


class MucRun(Scenario):
    """tester from several resources: clients, inboxes and raw logs (of `kinds`) by resource;
    the first connected is .client. Stanzas go out raw; ids come from next_id(). `server`:
    harness.Server()'s keyword arguments (grants, modules)."""

    def __init__(self, binary, checks, end_check, kinds=("message", "presence"), **server):
        super().__init__(binary, checks, users=("tester",), wait=WAIT, sender=None,
                         end_check=end_check, **server)
        self.kinds, self.logs, self.serial = kinds, {}, 0

    def connect_resource(self, resource, plugins=()):
        client = harness.Client(self.prosody, "tester", "tester-pw", resource=resource,
                                timeout=5, plugins=plugins)
        self.clients[resource] = client
        if not self.attempt(f"tester/{resource} connected", client.connect):
            return None
        self.inbox[resource] = Inbox(client).attach()
        self.logs[resource] = RawLog(client, self.kinds)
        if self.client is None:
            self.client, self.box = client, self.inbox[resource]
        return client

    def quiet(self, seconds=QUIET):
        self.client.run(asyncio.sleep(seconds), seconds + 1)

    def full(self, res):
        return self.clients[res].xmpp.boundjid.full

    def next_id(self, prefix):
        self.serial += 1
        return f"{prefix}-{self.serial}"

    def send(self, res, xml):
        self.clients[res].xmpp.send_raw(xml)

    def mark(self, res):
        return self.logs[res].mark()

    def since(self, res, mark, room=None):
        return self.logs[res].since(mark, room)

    def await_log(self, res, mark, room, pred, what, timeout=WAIT):
        """The stanzas from `room` (bare JID; None: anyone) in res's log after mark up to the
        first matching pred(kind, element), inclusive, as (sequence number, kind, element).
        TimeoutError lists what did come."""
        async def poll():
            deadline = time.monotonic() + timeout
            while True:
                got = self.since(res, mark, room)
                for n, (_, kind, e) in enumerate(got):
                    if pred(kind, e):
                        return got[:n + 1]
                self.alive()
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"no {what} within {timeout} s; {res} got: {shown(got)}")
                await asyncio.sleep(0.05)
        return self.clients[res].run(poll(), timeout + 5)

    def expect_raw(self, name, res, mark, room, pred, timeout=WAIT):
        """The check that a stanza matching pred reaches res; returns (seq, kind, element)."""
        got = self.attempt(name, self.await_log, res, mark, room, pred, name, timeout)
        return got[-1] if got else None

    def send_join(self, name, res, room, nick, jid_id, extra=""):
        """res joins room as nick; the check `name` that the subject comes. Returns the
        room's stanzas up to the subject, or None."""
        mark = self.mark(res)
        self.send(res, join_presence(room, nick, jid_id, extra))
        return self.attempt(name, self.await_log, res, mark, room, is_subject, "subject message")


# --- the checks of a join, of the reflection of the user's message and of the answer ---

def check_join(run, res, room, people, subject, subject_from, asked=NICK, label="join"):
    """res joins room as `asked`; checks the whole sequence. Returns {nick: occupant id}
    (the user under NICK) or None."""
    jid_id = run.next_id(f"{res}-join")
    what = f"{res}: {label} {room.partition('@')[0]}"
    seq = run.send_join(f"{what}: the subject message comes", res, room, asked, jid_id)
    if seq is None:
        return None
    run.quiet()
    after = run.since(res, seq[-1][0] + 1, room)
    run.check(f"{what}: nothing more from the room after the subject ({QUIET} s)", not after,
              "; ".join(show(k, e) for _, k, e in after))
    self_jid = f"{room}/{NICK}"
    me, others = join_parts(seq, room)
    if not run.check(f"{what}: participants' presences, then the self-presence, then the "
                     "subject", me is not None, "; ".join(show(k, e) for _, k, e in seq)):
        return None
    occupants = {}
    nicks = [nick_of(e) for e in others]
    run.check(f"{what}: one presence each from {', '.join(sorted(people))}, no other",
              sorted(nicks) == sorted(people), f"from {nicks}")
    full = run.full(res)
    for e in others:
        nick, item = nick_of(e), muc_item(e)
        if nick not in people:
            continue
        affiliation, real = people[nick]
        got = None if item is None else (item.get("affiliation"), item.get("role"), item.get("jid"))
        run.check(f"{what}: {nick}: available, affiliation {affiliation}, a role, "
                  + (f"jid {real}" if real else "no jid") + ", an occupant id",
                  e.get("type") is None and e.get("to") == full and got is not None
                  and got[0] == affiliation and got[1] in ROLES and got[2] == real
                  and bool(occupant_id(e)), show("presence", e) + f" occupant-id {occupant_id(e)}")
        occupants[nick] = occupant_id(e)
    want = {110} | ({100} if room == LOUNGE else set()) | ({210} if asked != NICK else set())
    run.check(f"{what}: self-presence from {self_jid} reflects the join id {jid_id}",
              me.get("id") == jid_id and me.get("type") is None, f"id {me.get('id')!r}, "
              f"type {me.get('type')!r}")
    run.check(f"{what}: self-presence status codes {sorted(want)}", codes(me) == want,
              f"codes {sorted(codes(me))}")
    item = muc_item(me)
    real = full if room == LOUNGE else None
    run.check(f"{what}: self-presence item (affiliation, role"
              + (", the resource's full jid" if real else "") + ") and occupant id",
              item is not None and item.get("affiliation") in ("owner", "admin", "member")
              and item.get("role") in ROLES and (real is None or item.get("jid") == real)
              and bool(occupant_id(me)), show("presence", me) + f" occupant-id {occupant_id(me)}")
    occupants[NICK] = occupant_id(me)
    ids = [i for i in occupants.values() if i]
    run.check(f"{what}: occupant ids all different", len(set(ids)) == len(ids), f"{occupants}")
    subj = seq[-1][2]
    run.check(f"{what}: subject {subject!r} from {subject_from}, groupchat, no body, last",
              subj.get("type") == "groupchat" and frm(subj) == subject_from
              and subj.get("to") == full and text_of(subj, "subject") == subject
              and text_of(subj, "body") is None, show("message", subj))
    return occupants


def reflection_checks(run, res, e, room, body, mid, origin, occupants):
    """The checks of the reflection e of the user's message at res; returns its stanza-id."""
    sid = stanza_id(e, room)
    run.check(f"{res}: …groupchat to {res}, same body, origin-id kept, the room's stanza-id, "
              "the user's occupant id",
              e.get("type") == "groupchat" and e.get("to") == run.full(res)
              and text_of(e, "body") == body
              and (origin is None or e.find(f"{{{SID_NS}}}origin-id") is not None
                   and e.find(f"{{{SID_NS}}}origin-id").get("id") == origin)
              and bool(sid) and occupant_id(e) == occupants[NICK],
              show("message", e) + f" stanza-id {sid} occupant-id {occupant_id(e)}")
    return sid


def answered(run, res, mark, room, who, body, sid, occupants, refl_seq):
    """`who heard: body` at res, a reply to the reflection's stanza-id, after it."""
    got = run.expect_raw(f"{res} gets {who}'s answer '{who} heard: {body}'", res, mark, room,
                         lambda k, e: k == "message" and frm(e) == f"{room}/{who}"
                         and text_of(e, "body") == f"{who} heard: {body}")
    if got is None:
        return
    n, _, e = got
    reply = e.find(f"{{{REPLY_NS}}}reply")
    run.check(f"{res}: …a reply to the reflection's stanza-id {sid}",
              reply is not None and sid is not None and reply.get("id") == sid,
              f"reply {None if reply is None else dict(reply.attrib)}")
    run.check(f"{res}: …groupchat, after the reflection, with the room's stanza-id and "
              f"{who}'s occupant id",
              e.get("type") == "groupchat" and n > refl_seq and bool(stanza_id(e, room))
              and occupant_id(e) == occupants.get(who),
              f"seq {n} vs {refl_seq}, stanza-id {stanza_id(e, room)}, occupant-id "
              f"{occupant_id(e)} (want {occupants.get(who)})")


# --- errors and queries ---

def error_message(run, res, name, xml, mid, want_from, condition):
    """xml (a message with the id mid) sent raw from res; the checks that an error with that id
    comes back, `condition` from want_from."""
    mark = run.mark(res)
    run.send(res, xml)
    got = run.expect_raw(name, res, mark, None,
                         lambda k, e: k == "message" and e.get("id") == mid
                         and e.get("type") == "error")
    if got is not None:
        e = got[2]
        run.check(f"…{condition} from {want_from}",
                  frm(e) == want_from and error_of(e) == condition, show("message", e))


def ping_answer(client, jid):
    """'result', or the error condition of a ping."""
    try:
        client.ping(jid, timeout=5)
        return "result"
    except IqError as e:
        return e.iq["error"]["condition"]


def disco_info(client, jid):
    """The <query/> of jid's disco#info result."""
    iq = client.xmpp.make_iq_get(queryxmlns=DISCO_INFO_NS, ito=jid)
    return client.run(iq.send(timeout=client.timeout), client.timeout + 1).xml.find(
        f"{{{DISCO_INFO_NS}}}query")


def admin_items(e):
    """[(affiliation, nick, jid)] of the muc#admin items in e, sorted."""
    return sorted((i.get("affiliation"), i.get("nick"), i.get("jid"))
                  for i in e.iter(f"{{{MUC_ADMIN_NS}}}item"))


def admin_list(client, room, affiliation):
    """muc#admin: [(affiliation, nick, jid)] of the items listed for `affiliation`."""
    iq = client.xmpp.make_iq_get(ito=room)
    iq.xml.append(element(MUC_ADMIN_NS, "query",
                          children=[element(MUC_ADMIN_NS, "item", affiliation=affiliation)]))
    result = client.run(iq.send(timeout=client.timeout), client.timeout + 1)
    return admin_items(result.xml)


class RestartableMucRun(MucRun):
    """A MucRun whose gateway keeps its SQLite file (self.db) across restarts (numbered
    gateway-1, gateway-2…) and whose tester registers with the two-factor `code` under
    `nick`, connected from `resources`."""

    def __init__(self, binary, checks, end_check, code, nick, resources,
                 kinds=("message", "presence")):
        super().__init__(binary, checks, end_check=end_check, kinds=kinds)
        self.code, self.nick, self.resources = code, nick, resources
        self.generation = 0

    def start_gateway(self):
        self.generation += 1
        return super().start_gateway(
            "--storage.path", self.db, "--echo.registration", "two-factor", "--echo.code",
            self.code, name=f"gateway-{self.generation}",
            check=f"gateway #{self.generation} answers ping")

    def ready(self):
        return bool(self.started and all(self.connect_resource(r) for r in self.resources)
                    and self.start_gateway() and self.register_two_factor(self.code, self.nick)
                    and self.logged_in())

