#!/usr/bin/python3
# End-to-end test of group chats (XEP-0045) through legate-echo against a private Prosody 0.12.
# The user tester is connected from two resources (desk, laptop) and registers (two-factor in
# chat, username tester-echo: the user's nick in every room); the session logs in and the echo
# network serves two rooms. Lounge (a group): desk joins, then laptop, then desk again (a
# resync); each join gets, in this order, one presence per participant (alice: owner, bob:
# member, real JIDs shown, occupant ids), the self-presence from lounge/tester-echo with the
# join's id and status codes 100 and 110, and the subject message last, nothing more. desk's
# message is reflected to both resources (same id, origin-id kept, the room's stanza-id, the
# user's occupant id) and answered by bob as a XEP-0461 reply naming the reflection's
# stanza-id, and alice reacts 👍 to it (XEP-0444 naming the stanza-id); desk's correction
# (by message id) is reflected and bob answers it; laptop's `/topic …` makes alice set the
# subject at both. Lobby (a channel): desk
# joins under another nick (codes 110 and 210, no real JIDs), carol answers a message,
# `/nick dan` renames dave (303, then dan's presence with the same occupant id), `/kick` kicks
# him (307 with the reason). Errors: a groupchat from a resource that never joined or left
# (not-acceptable), a private message to an occupant (not-allowed); self-ping (XEP-0410)
# answers while joined, not-acceptable from a resource that never joined or after leaving;
# disco#info of both rooms (identity, features, muc#roominfo form); muc#admin member and
# owner lists. Hostile joins: an empty nick and a 2,000-character nick (invalid JIDs, which
# Prosody 0.12 bounces itself: jid-malformed from that JID) and the bare room JID (the
# gateway's jid-malformed) get an error presence, no self-presence; the gateway still answers
# a ping, and a join with a 1,000-character nick is a resync under the room's nick (110, 100,
# 210). Stanzas are sent raw and logged raw, in order, before slixmpp parses them (it would
# drop the connection on an invalid 'from'; see RawLog). SIGTERM: every joined resource
# gets an unavailable self-presence with codes 110 and 332. A restart on the same SQLite file:
# a re-join shows alice and bob again, each once, with the same occupant ids and the topic
# alice set, and messages work again.
# Usage: /usr/bin/python3 test_groups.py PATH/TO/legate-echo
# One "ok - ..." / "not ok - ..." line per check; exit 0 only if all pass.
# LEGATE_KEEP_TMP=1 keeps the temp dirs, LEGATE_E2E_DEBUG=1 traces slixmpp.
import asyncio
import copy
import os
import sys
import time
from xml.sax.saxutils import quoteattr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import Checks, Scenario, run_test  # noqa: E402
from xmpp_helpers import REACTIONS_NS, REPLY_NS, STANZAS_NS, Inbox, element  # noqa: E402
from slixmpp.exceptions import IqError  # noqa: E402
from slixmpp.jid import JID, InvalidJID  # noqa: E402

GW = "gw.localhost"
CODE = "123456"
NICK = "tester-echo"      # register_two_factor's username: the user's nick in every room
TOTAL_TIMEOUT = 120       # hard cap on the run (about 25 s when all goes well)
WAIT = 10                 # for each expected stanza
QUIET = 0.5               # how long nothing more may come after a join's subject
RESOURCES = ("desk", "laptop")
LOUNGE, LOBBY = f"lounge@{GW}", f"lobby@{GW}"
LOUNGE_PEOPLE = {"alice": ("owner", f"alice@{GW}"), "bob": ("member", f"bob@{GW}")}
LOBBY_PEOPLE = {"carol": ("member", None), "dave": ("member", None)}
TOPIC = "Topic set by alice"
MUC_NS = "http://jabber.org/protocol/muc"
MUC_USER_NS = MUC_NS + "#user"
MUC_ADMIN_NS = MUC_NS + "#admin"
ROOMINFO_NS = MUC_NS + "#roominfo"
DISCO_INFO_NS = "http://jabber.org/protocol/disco#info"
XDATA_NS = "jabber:x:data"
SID_NS = "urn:xmpp:sid:0"
OCCUPANT_NS = "urn:xmpp:occupant-id:0"
CLIENT_NS = "jabber:client"
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


def occupant_id(e):
    o = e.find(f"{{{OCCUPANT_NS}}}occupant-id")
    return None if o is None else o.get("id")


def stanza_id(e, by):
    for s in e.findall(f"{{{SID_NS}}}stanza-id"):
        if s.get("by") == by:
            return s.get("id")
    return None


def text_of(e, name):
    return e.findtext(f"{{{CLIENT_NS}}}{name}")


def error_of(e):
    """The defined condition of a stanza's <error/>, or None."""
    err = e.find(f"{{{CLIENT_NS}}}error")
    if err is None:
        return None
    for c in err:
        if c.tag.startswith(f"{{{STANZAS_NS}}}") and not c.tag.endswith("}text"):
            return c.tag.partition("}")[2]
    return "?"


def is_subject(kind, e):
    return kind == "message" and e.find(f"{{{CLIENT_NS}}}subject") is not None


def show(kind, e, limit=160):
    """One stanza for failure details, shortened."""
    text = e.get("type") or ("available" if kind == "presence" else "normal")
    extra = []
    if kind == "presence" and muc_item(e) is not None:
        extra.append(f"item {dict(muc_item(e).attrib)} codes {sorted(codes(e))}")
    for name in ("subject", "body"):
        if text_of(e, name) is not None:
            extra.append(f"{name} {text_of(e, name)!r}")
    if error_of(e):
        extra.append(f"error {error_of(e)}")
    line = f"{kind} {text} from {frm(e)[:80]}" + (f" id={e.get('id')}" if e.get("id") else "")
    line += (" " + "; ".join(extra)) if extra else ""
    return line[:limit]


def groupchat(to, body, mid, origin=None):
    origin_id = f"<origin-id xmlns='{SID_NS}' id={quoteattr(origin)}/>" if origin else ""
    return (f"<message to={quoteattr(to)} type='groupchat' id={quoteattr(mid)}>"
            f"<body>{body}</body>{origin_id}</message>")


class RawLog:
    """Every message and presence one client's stream receives, in order and never removed, as
    (sequence number, kind, raw Element), taken before slixmpp parses it (copied: JIDs as
    sent). A 'from' slixmpp cannot parse (Prosody bounces a stanza to an invalid JID from that
    JID) would make slixmpp drop the connection: it becomes its bare part, or goes, in the
    stanza slixmpp sees. mark() and since() slice the log."""

    def __init__(self, client):
        self.items = []
        xmpp = client.xmpp
        upstream = xmpp.incoming_filter

        def record(xml):
            xml = upstream(xml)
            kind = xml.tag.partition("}")[2]
            if kind in ("message", "presence"):
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


def valid_jid(jid):
    try:
        JID(jid)
        return True
    except InvalidJID:
        return False


class Run(Scenario):
    """The run: tester from desk and laptop (clients, inboxes and raw logs by resource), the
    gateway restarted once on one database."""

    def __init__(self, binary, checks):
        super().__init__(binary, checks, users=("tester",), wait=WAIT, sender=None,
                         end_check="gateway #2 exits 0 on SIGTERM at the end")
        self.logs, self.generation, self.serial = {}, 0, 0

    def connect_resource(self, resource):
        client = harness.Client(self.prosody, "tester", "tester-pw", resource=resource,
                                timeout=5)
        self.clients[resource] = client
        if not self.attempt(f"tester/{resource} connected", client.connect):
            return None
        self.inbox[resource] = Inbox(client).attach()
        self.logs[resource] = RawLog(client)
        if self.client is None:
            self.client, self.box = client, self.inbox[resource]
        return client

    def start_gateway(self):
        self.generation += 1
        return super().start_gateway(
            "--storage.path", self.db, "--echo.registration", "two-factor", "--echo.code", CODE,
            name=f"gateway-{self.generation}", check=f"gateway #{self.generation} answers ping")

    def ready(self):
        return bool(self.started and all(self.connect_resource(r) for r in RESOURCES)
                    and self.start_gateway() and self.register_two_factor(CODE, NICK)
                    and self.logged_in())

    def full(self, res):
        return self.clients[res].xmpp.boundjid.full

    def next_id(self, prefix):
        self.serial += 1
        return f"{prefix}-{self.serial}"

    def send(self, res, xml):
        self.clients[res].xmpp.send_raw(xml)

    def mark(self, res):
        return self.logs[res].mark()

    def quiet(self, seconds=QUIET):
        self.client.run(asyncio.sleep(seconds), seconds + 1)

    def await_room(self, res, mark, room, pred, what, timeout=WAIT):
        """Wait for a stanza from `room` (bare JID; None: anyone) matching pred(kind, element)
        in res's log after mark; returns the room's stanzas up to and including it
        (sequence number, kind, element). TimeoutError lists what did come."""
        log = self.logs[res]

        async def poll():
            deadline = time.monotonic() + timeout
            while True:
                got = log.since(mark, room)
                for n, (_, kind, e) in enumerate(got):
                    if pred(kind, e):
                        return got[:n + 1]
                self.alive()
                if time.monotonic() >= deadline:
                    seen = "; ".join(show(k, e) for _, k, e in got[-8:]) or "nothing"
                    raise TimeoutError(f"no {what} within {timeout} s; {res} got: [{seen}]")
                await asyncio.sleep(0.05)
        return self.clients[res].run(poll(), timeout + 5)

    def expect_raw(self, name, res, mark, room, pred, timeout=WAIT):
        """The check that a stanza matching pred reaches res; returns (seq, kind, element)."""
        got = self.attempt(name, self.await_room, res, mark, room, pred, name, timeout)
        return got[-1] if got else None


# --- joins ---

def join(run, res, room, people, subject, subject_from, asked=NICK, label="join"):
    """res joins room as `asked`; checks the whole sequence. Returns {nick: occupant id}
    (the user under NICK) or None."""
    jid_id = run.next_id(f"{res}-join")
    what = f"{res}: {label} {room.partition('@')[0]}"
    mark = run.mark(res)
    run.send(res, f"<presence to={quoteattr(room + '/' + asked)} id='{jid_id}'>"
                  f"<x xmlns='{MUC_NS}'><history maxchars='0'/></x></presence>")
    seq = run.attempt(f"{what}: the subject message comes", run.await_room, res, mark, room,
                      is_subject, "subject message")
    if seq is None:
        return None
    run.quiet()
    after = run.logs[res].since(mark, room)[len(seq):]
    run.check(f"{what}: nothing more from the room after the subject ({QUIET} s)", not after,
              "; ".join(show(k, e) for _, k, e in after))
    shown = "; ".join(show(k, e) for _, k, e in seq)
    self_jid = f"{room}/{NICK}"
    kinds = [k for _, k, _ in seq]
    ordered = (len(seq) >= 2 and kinds[:-1] == ["presence"] * (len(seq) - 1)
               and frm(seq[-2][2]) == self_jid
               and all(frm(e) != self_jid for _, _, e in seq[:-2]))
    if not run.check(f"{what}: participants' presences, then the self-presence, then the "
                     "subject", ordered, shown):
        return None
    occupants = {}
    others = [e for _, _, e in seq[:-2]]
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
    me = seq[-2][2]
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


def lounge_joins(run):
    """desk joins, laptop joins, desk joins again (resync): the same sequence each time."""
    first = join(run, "desk", LOUNGE, LOUNGE_PEOPLE, "Welcome to the lounge", LOUNGE)
    if first is None:
        return None
    second = join(run, "laptop", LOUNGE, LOUNGE_PEOPLE, "Welcome to the lounge", LOUNGE)
    again = join(run, "desk", LOUNGE, LOUNGE_PEOPLE, "Welcome to the lounge", LOUNGE,
                 label="resync of")
    run.check("lounge: the same occupant ids in the three joins", first == second == again,
              f"{first} / {second} / {again}")
    return first


# --- messages ---

def reflection_checks(run, res, e, room, body, mid, origin, occupants):
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


def lounge_message(run, occupants):
    body, mid, origin = "hello lounge", "lounge-msg-1", "lounge-origin-1"
    marks = {r: run.mark(r) for r in RESOURCES}
    run.send("desk", groupchat(LOUNGE, body, mid, origin))
    sids = {}
    for res in RESOURCES:
        got = run.expect_raw(f"{res} gets desk's message reflected from lounge/{NICK} with "
                             f"its id {mid}", res, marks[res], LOUNGE,
                             lambda k, e: k == "message" and frm(e) == f"{LOUNGE}/{NICK}"
                             and e.get("id") == mid)
        if got is None:
            continue
        sids[res] = reflection_checks(run, res, got[2], LOUNGE, body, mid, origin, occupants)
        answered(run, res, marks[res], LOUNGE, "bob", body, sids[res], occupants, got[0])
    if len(sids) == 2:
        run.check("both resources got the same stanza-id", sids["desk"] == sids["laptop"],
                  f"{sids}")
    return sids.get("desk"), marks["desk"]


def lounge_reaction_and_correction(run, sid, since, mid):
    """alice's 👍 on the user's message names its stanza-id; the user's correction (by message
    id) reaches the bridge, is reflected, and bob answers it."""
    got = run.expect_raw("desk gets alice's 👍 on its message", "desk", since, LOUNGE,
                         lambda k, e: k == "message" and frm(e) == f"{LOUNGE}/alice"
                         and e.find(f"{{{REACTIONS_NS}}}reactions") is not None, timeout=WAIT)
    if got is not None:
        reactions = got[2].find(f"{{{REACTIONS_NS}}}reactions")
        emojis = [r.text for r in reactions]
        run.check("…on the reflection's stanza-id, 👍, groupchat with a stanza-id",
                  reactions.get("id") == sid and emojis == ["👍"]
                  and got[2].get("type") == "groupchat" and bool(stanza_id(got[2], LOUNGE)),
                  f"id {reactions.get('id')} (want {sid}), {emojis}")
    mark = run.mark("desk")
    run.send("desk", f"<message to={quoteattr(LOUNGE)} type='groupchat' id='lounge-fix-1'>"
                     f"<body>hello lounge, fixed</body>"
                     f"<replace xmlns='urn:xmpp:message-correct:0' id={quoteattr(mid)}/></message>")
    run.expect_raw("desk gets its correction reflected with its id", "desk", mark, LOUNGE,
                   lambda k, e: k == "message" and e.get("id") == "lounge-fix-1"
                   and e.find("{urn:xmpp:message-correct:0}replace") is not None)
    run.expect_raw("bob answers the correction 'bob saw a correction: hello lounge, fixed'",
                   "desk", mark, LOUNGE,
                   lambda k, e: k == "message" and frm(e) == f"{LOUNGE}/bob"
                   and text_of(e, "body") == "bob saw a correction: hello lounge, fixed")


def lounge_topic(run):
    marks = {r: run.mark(r) for r in RESOURCES}
    run.send("laptop", groupchat(LOUNGE, f"/topic {TOPIC}", "lounge-topic-1"))
    for res in RESOURCES:
        run.expect_raw(f"{res} gets laptop's '/topic …' reflected", res, marks[res], LOUNGE,
                       lambda k, e: k == "message" and frm(e) == f"{LOUNGE}/{NICK}"
                       and e.get("id") == "lounge-topic-1")
        got = run.expect_raw(f"{res} gets the subject {TOPIC!r} from lounge/alice", res,
                             marks[res], LOUNGE, lambda k, e: is_subject(k, e))
        if got is not None:
            e = got[2]
            run.check(f"{res}: …groupchat, from alice, the new text, no body",
                      e.get("type") == "groupchat" and frm(e) == f"{LOUNGE}/alice"
                      and text_of(e, "subject") == TOPIC and text_of(e, "body") is None,
                      show("message", e))


def lobby(run):
    occupants = join(run, "desk", LOBBY, LOBBY_PEOPLE, "Welcome to the lobby", LOBBY,
                     asked="someone-else")
    if occupants is None:
        return
    body, mid, origin = "hi lobby", "lobby-msg-1", "lobby-origin-1"
    mark = run.mark("desk")
    run.send("desk", groupchat(LOBBY, body, mid, origin))
    got = run.expect_raw(f"desk gets its lobby message reflected from lobby/{NICK} with its "
                         f"id {mid}", "desk", mark, LOBBY,
                         lambda k, e: k == "message" and frm(e) == f"{LOBBY}/{NICK}"
                         and e.get("id") == mid)
    if got is not None:
        sid = reflection_checks(run, "desk", got[2], LOBBY, body, mid, origin, occupants)
        answered(run, "desk", mark, LOBBY, "carol", body, sid, occupants, got[0])

    mark = run.mark("desk")
    run.send("desk", groupchat(LOBBY, "/nick dan", "lobby-nick-1"))
    gone = run.expect_raw("'/nick dan': unavailable presence from lobby/dave", "desk", mark,
                          LOBBY, lambda k, e: k == "presence" and frm(e) == f"{LOBBY}/dave"
                          and e.get("type") == "unavailable")
    if gone is not None:
        item = muc_item(gone[2])
        run.check("…with status 303 and <item nick='dan'/>",
                  303 in codes(gone[2]) and item is not None and item.get("nick") == "dan",
                  show("presence", gone[2]))
    back = run.expect_raw("'/nick dan': then an available presence from lobby/dan", "desk",
                          mark, LOBBY, lambda k, e: k == "presence"
                          and frm(e) == f"{LOBBY}/dan" and e.get("type") is None)
    if gone is not None and back is not None:
        run.check("…after the unavailable one, with dave's occupant id",
                  back[0] > gone[0] and occupant_id(back[2]) == occupants.get("dave")
                  and occupant_id(gone[2]) == occupants.get("dave"),
                  f"seq {gone[0]} then {back[0]}; occupant ids {occupant_id(gone[2])}, "
                  f"{occupant_id(back[2])}, dave's {occupants.get('dave')}")

    mark = run.mark("desk")
    run.send("desk", groupchat(LOBBY, "/kick", "lobby-kick-1"))
    kicked = run.expect_raw("'/kick': unavailable presence from lobby/dan", "desk", mark, LOBBY,
                            lambda k, e: k == "presence" and frm(e) == f"{LOBBY}/dan"
                            and e.get("type") == "unavailable")
    if kicked is not None:
        item = muc_item(kicked[2])
        reason = None if item is None else item.findtext(f"{{{MUC_USER_NS}}}reason")
        run.check("…with status 307, role none and the reason 'you asked for it'",
                  307 in codes(kicked[2]) and item is not None and item.get("role") == "none"
                  and reason == "you asked for it",
                  show("presence", kicked[2]) + f" reason {reason!r}")
    extra = [show(k, e) for _, k, e in run.logs["desk"].since(mark, LOBBY)
             if k == "message" and frm(e) == f"{LOBBY}/carol"]
    run.check("carol did not answer the commands", not extra, "; ".join(extra))


# --- errors, self-ping, disco, affiliations ---

def error_message(run, res, name, xml, mid, want_from, condition):
    mark = run.mark(res)
    run.send(res, xml)
    got = run.expect_raw(name, res, mark, None,
                         lambda k, e: k == "message" and e.get("id") == mid
                         and e.get("type") == "error")
    if got is not None:
        e = got[2]
        run.check(f"…{condition} from {want_from}",
                  frm(e) == want_from and error_of(e) == condition, show("message", e))


def errors(run):
    error_message(run, "laptop", "a groupchat from laptop, never joined to the lobby, bounces",
                  groupchat(LOBBY, "am I in?", "laptop-lobby-1"), "laptop-lobby-1", LOBBY,
                  "not-acceptable")
    error_message(run, "desk", "a private message to lounge/bob bounces",
                  f"<message to='{LOUNGE}/bob' type='chat' id='desk-pm-1'><body>psst</body>"
                  "</message>", "desk-pm-1", f"{LOUNGE}/bob", "not-allowed")


def ping_answer(client, jid):
    """'result', or the error condition of a ping."""
    try:
        client.ping(jid, timeout=5)
        return "result"
    except IqError as e:
        return e.iq["error"]["condition"]


def self_ping(run):
    me = f"{LOBBY}/{NICK}"
    for res, want in (("desk", "result"), ("laptop", "not-acceptable")):
        got = run.attempt(f"self-ping of {me} from {res} answers", ping_answer,
                          run.clients[res], me)
        if got is not None:
            run.check(f"…{want} ({res} {'joined' if want == 'result' else 'never joined'})",
                      got == want, f"got {got}")
    mark = run.mark("desk")
    run.send("desk", f"<presence to='{me}' type='unavailable'/>")
    left = run.expect_raw("desk leaves the lobby: unavailable self-presence", "desk", mark,
                          LOBBY, lambda k, e: k == "presence" and frm(e) == me
                          and e.get("type") == "unavailable")
    if left is not None:
        run.check("…with status code 110", 110 in codes(left[2]), show("presence", left[2]))
    got = run.attempt(f"self-ping of {me} from desk after leaving answers", ping_answer,
                      run.clients["desk"], me)
    if got is not None:
        run.check("…not-acceptable", got == "not-acceptable", f"got {got}")
    error_message(run, "desk", "a groupchat from desk after leaving the lobby bounces",
                  groupchat(LOBBY, "still here?", "desk-lobby-left"), "desk-lobby-left", LOBBY,
                  "not-acceptable")
    got = run.attempt(f"self-ping of {LOUNGE}/{NICK} from desk (still joined) answers",
                      ping_answer, run.clients["desk"], f"{LOUNGE}/{NICK}")
    if got is not None:
        run.check("…result", got == "result", f"got {got}")


def disco_info(client, jid):
    iq = client.xmpp.make_iq_get(queryxmlns=DISCO_INFO_NS, ito=jid)
    return client.run(iq.send(timeout=client.timeout), client.timeout + 1).xml.find(
        f"{{{DISCO_INFO_NS}}}query")


def disco(run):
    rooms = ((LOUNGE, "Echo Lounge", TOPIC, {"muc_membersonly", "muc_nonanonymous"},
              {"muc_open", "muc_semianonymous"}),
             (LOBBY, "Echo Lobby", "Welcome to the lobby", {"muc_open", "muc_semianonymous"},
              {"muc_membersonly", "muc_nonanonymous"}))
    for room, name, subject, has, lacks in rooms:
        query = run.attempt(f"disco#info of {room} answers", disco_info, run.client, room)
        if query is None:
            continue
        ids = [(i.get("category"), i.get("type"), i.get("name"))
               for i in query.findall(f"{{{DISCO_INFO_NS}}}identity")]
        run.check(f"…identity conference/text {name!r}", ids == [("conference", "text", name)],
                  f"{ids}")
        features = {f.get("var") for f in query.findall(f"{{{DISCO_INFO_NS}}}feature")}
        run.check(f"…features {MUC_NS}, {', '.join(sorted(has))}, not "
                  f"{', '.join(sorted(lacks))}",
                  MUC_NS in features and has <= features and not lacks & features,
                  f"{sorted(features)}")
        fields = {}
        for form in query.findall(f"{{{XDATA_NS}}}x"):
            for f in form.findall(f"{{{XDATA_NS}}}field"):
                fields[f.get("var")] = f.findtext(f"{{{XDATA_NS}}}value")
        run.check(f"…a muc#roominfo form with the subject {subject!r}",
                  fields.get("FORM_TYPE") == ROOMINFO_NS
                  and fields.get("muc#roominfo_subject") == subject, f"{fields}")


def admin_list(client, room, affiliation):
    """muc#admin: [(affiliation, nick, jid)] of the items listed for `affiliation`."""
    iq = client.xmpp.make_iq_get(ito=room)
    iq.xml.append(element(MUC_ADMIN_NS, "query",
                          children=[element(MUC_ADMIN_NS, "item", affiliation=affiliation)]))
    result = client.run(iq.send(timeout=client.timeout), client.timeout + 1)
    return sorted((i.get("affiliation"), i.get("nick"), i.get("jid"))
                  for i in result.xml.iter(f"{{{MUC_ADMIN_NS}}}item"))


def affiliations(run):
    cases = ((LOUNGE, "member", [("member", "bob", f"bob@{GW}")]),
             (LOUNGE, "owner", [("owner", "alice", f"alice@{GW}")]),
             (LOBBY, "member", [("member", "carol", None), ("member", "dan", None)]))
    for room, affiliation, want in cases:
        got = run.attempt(f"muc#admin {affiliation} list of {room} answers", admin_list,
                          run.client, room, affiliation)
        if got is not None:
            listed = ", ".join(f"{n} ({j or 'no jid'})" for _, n, j in want)
            run.check(f"…{listed}", got == want, f"got {got}")


# --- hostile input ---

def hostile(run, occupants):
    """Joins to invalid occupant JIDs (Prosody bounces them itself: jid-malformed from that
    JID), to the bare room JID (no nick: the gateway refuses) and with a long valid nick (the
    room's nick wins: a resync with 210); the gateway keeps serving."""
    cases = (("an empty nick", f"{LOUNGE}/", None),
             ("a 2,000-character nick", f"{LOUNGE}/{'n' * 2000}", None),
             ("no nick (the bare room JID)", LOUNGE, LOUNGE))
    for what, to, want_from in cases:
        hid = run.next_id("hostile")
        mark = run.mark("desk")
        run.send("desk", f"<presence to={quoteattr(to)} id='{hid}'><x xmlns='{MUC_NS}'/>"
                         "</presence>")
        got = run.expect_raw(f"a join with {what} gets an error presence", "desk", mark,
                             None, lambda k, e, hid=hid: k == "presence" and e.get("id") == hid)
        if got is not None:
            e = got[2]
            shown = want_from or to[:len(LOUNGE) + 4] + "…"
            run.check(f"…type error jid-malformed, from {shown}",
                      e.get("type") == "error" and frm(e) == (want_from or to)
                      and error_of(e) == "jid-malformed", show("presence", e))
    joined = [show(k, e) for _, k, e in run.logs["desk"].since(0) if k == "presence"
              and (e.get("id") or "").startswith("hostile") and e.get("type") != "error"]
    run.check("no self-presence came for the refused joins", not joined, "; ".join(joined))
    run.attempt(f"the gateway still answers a ping to {GW}", run.client.ping, GW)
    again = join(run, "desk", LOUNGE, LOUNGE_PEOPLE, TOPIC, f"{LOUNGE}/alice", asked="n" * 1000,
                 label="join with a 1,000-character nick,")
    if again is not None and occupants is not None:
        run.check("…the same occupant ids as before", again == occupants,
                  f"{again} vs {occupants}")


# --- shutdown and restart ---

def shutdown(run):
    marks = {r: run.mark(r) for r in RESOURCES}
    run.stop_gateway("gateway #1 exits 0 on SIGTERM")
    for res in RESOURCES:
        got = run.expect_raw(f"{res} gets an unavailable self-presence from the lounge at "
                             "shutdown", res, marks[res], LOUNGE,
                             lambda k, e: k == "presence" and frm(e) == f"{LOUNGE}/{NICK}"
                             and e.get("type") == "unavailable")
        if got is not None:
            run.check("…status codes 110 and 332", codes(got[2]) == {110, 332},
                      show("presence", got[2]))
    stray = [show(k, e) for _, k, e in run.logs["desk"].since(marks["desk"], LOBBY)]
    run.check("desk gets nothing from the lobby it had left", not stray, "; ".join(stray))


def restart(run, before):
    for box in run.inbox.values():
        box.clear()
    if not (run.start_gateway() and run.logged_in("gateway #2 logs the session in again")):
        return
    after = join(run, "desk", LOUNGE, LOUNGE_PEOPLE, TOPIC, f"{LOUNGE}/alice",
                 label="after the restart, join")
    if after is None:
        return
    run.check("after the restart: the same occupant ids (XEP-0421)", after == before,
              f"{after} vs {before}")
    body, mid = "after the restart", "lounge-msg-2"
    mark, laptop_mark = run.mark("desk"), run.mark("laptop")
    run.send("desk", groupchat(LOUNGE, body, mid, "lounge-origin-2"))
    got = run.expect_raw("after the restart: desk's message is reflected", "desk", mark, LOUNGE,
                         lambda k, e: k == "message" and frm(e) == f"{LOUNGE}/{NICK}"
                         and e.get("id") == mid)
    if got is not None:
        sid = reflection_checks(run, "desk", got[2], LOUNGE, body, mid, "lounge-origin-2", after)
        answered(run, "desk", mark, LOUNGE, "bob", body, sid, after, got[0])
    stray = [show(k, e) for _, k, e in run.logs["laptop"].since(laptop_mark, LOUNGE)]
    run.check("after the restart: laptop, not re-joined, gets nothing from the lounge",
              not stray, "; ".join(stray))


def main(binary):
    checks = Checks()
    with Run(binary, checks) as run:
        if not run.ready():
            return checks.summary()
        occupants = lounge_joins(run)
        if occupants is not None:
            sid, since = lounge_message(run, occupants)
            lounge_reaction_and_correction(run, sid, since, "lounge-msg-1")
            lounge_topic(run)
        lobby(run)
        errors(run)
        self_ping(run)
        disco(run)
        affiliations(run)
        hostile(run, occupants)
        shutdown(run)
        if occupants is not None:
            restart(run, occupants)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
