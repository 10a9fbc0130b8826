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
# Prosody 0.12 bounces itself: jid-malformed from that JID; ejabberd: bad-request) and the
# bare room JID (the gateway's jid-malformed) get an error presence, no self-presence; the
# gateway still answers a ping, and a join with a 1,000-character nick is a resync under the room's nick (110, 100,
# 210). Stanzas are sent raw and logged raw, in order, before slixmpp parses them (it would
# drop the connection on an invalid 'from'; see RawLog in muc_helpers.py, shared with
# test_groups_requests.py, which also holds this test's join, reflection and query checks).
# SIGTERM: every joined resource gets an unavailable self-presence with codes 110 and 332. A
# restart on the same SQLite file: a re-join shows alice and bob again, each once, with the
# same occupant ids and the topic alice set, and messages work again.
# Usage: /usr/bin/python3 test_groups.py PATH/TO/legate-echo
# One "ok - ..." / "not ok - ..." line per check; exit 0 only if all pass.
# LEGATE_KEEP_TMP=1 keeps the temp dirs, LEGATE_E2E_DEBUG=1 traces slixmpp.
import os
import sys
from xml.sax.saxutils import quoteattr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from muc_helpers import (CODE, DISCO_INFO_NS, GW, LOBBY, LOBBY_PEOPLE, LOUNGE,  # noqa: E402
                         LOUNGE_PEOPLE, MUC_NS, NICK, RESOURCES, WAIT, RestartableMucRun, admin_list,
                         answered, check_join, codes, disco_info, error_message, error_of, frm,
                         groupchat, is_presence_from, is_subject, item_reason, muc_item,
                         occupant_id, ping_answer, reflection_checks, show, stanza_id, text_of)
from scenario import Checks, run_test  # noqa: E402
from xmpp_helpers import REACTIONS_NS  # noqa: E402

TOTAL_TIMEOUT = 120       # hard cap on the run (about 25 s when all goes well)
TOPIC = "Topic set by alice"
ROOMINFO_NS = MUC_NS + "#roominfo"
XDATA_NS = "jabber:x:data"


class Run(RestartableMucRun):
    """The run: tester from desk and laptop (clients, inboxes and raw logs by resource), the
    gateway restarted once on one database."""

    def __init__(self, binary, checks):
        super().__init__(binary, checks, end_check="gateway #2 exits 0 on SIGTERM at the end",
                         code=CODE, nick=NICK, resources=RESOURCES)


# --- joins ---

def lounge_joins(run):
    """desk joins, laptop joins, desk joins again (resync): the same sequence each time."""
    welcome = (LOUNGE, LOUNGE_PEOPLE, "Welcome to the lounge", LOUNGE)
    first = check_join(run, "desk", *welcome)
    if first is None:
        return None
    second = check_join(run, "laptop", *welcome)
    again = check_join(run, "desk", *welcome, label="resync of")
    run.check("lounge: the same occupant ids in the three joins", first == second == again,
              f"{first} / {second} / {again}")
    return first


# --- messages ---

def lounge_message(run, occupants):
    body, mid, origin = "hello lounge", "lounge-msg-1", "lounge-origin-1"
    marks = {r: run.mark(r) for r in RESOURCES}
    run.send("desk", groupchat(LOUNGE, mid, body=body, origin=origin))
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
    run.send("laptop", groupchat(LOUNGE, "lounge-topic-1", body=f"/topic {TOPIC}"))
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
    occupants = check_join(run, "desk", LOBBY, LOBBY_PEOPLE, "Welcome to the lobby", LOBBY,
                           asked="someone-else")
    if occupants is None:
        return
    body, mid, origin = "hi lobby", "lobby-msg-1", "lobby-origin-1"
    mark = run.mark("desk")
    run.send("desk", groupchat(LOBBY, mid, body=body, origin=origin))
    got = run.expect_raw(f"desk gets its lobby message reflected from lobby/{NICK} with its "
                         f"id {mid}", "desk", mark, LOBBY,
                         lambda k, e: k == "message" and frm(e) == f"{LOBBY}/{NICK}"
                         and e.get("id") == mid)
    if got is not None:
        sid = reflection_checks(run, "desk", got[2], LOBBY, body, mid, origin, occupants)
        answered(run, "desk", mark, LOBBY, "carol", body, sid, occupants, got[0])

    mark = run.mark("desk")
    run.send("desk", groupchat(LOBBY, "lobby-nick-1", body="/nick dan"))
    gone = run.expect_raw("'/nick dan': unavailable presence from lobby/dave", "desk", mark,
                          LOBBY, is_presence_from(f"{LOBBY}/dave", "unavailable"))
    if gone is not None:
        item = muc_item(gone[2])
        run.check("…with status 303 and <item nick='dan'/>",
                  303 in codes(gone[2]) and item is not None and item.get("nick") == "dan",
                  show("presence", gone[2]))
    back = run.expect_raw("'/nick dan': then an available presence from lobby/dan", "desk",
                          mark, LOBBY, is_presence_from(f"{LOBBY}/dan"))
    if gone is not None and back is not None:
        run.check("…after the unavailable one, with dave's occupant id",
                  back[0] > gone[0] and occupant_id(back[2]) == occupants.get("dave")
                  and occupant_id(gone[2]) == occupants.get("dave"),
                  f"seq {gone[0]} then {back[0]}; occupant ids {occupant_id(gone[2])}, "
                  f"{occupant_id(back[2])}, dave's {occupants.get('dave')}")

    mark = run.mark("desk")
    run.send("desk", groupchat(LOBBY, "lobby-kick-1", body="/kick"))
    kicked = run.expect_raw("'/kick': unavailable presence from lobby/dan", "desk", mark, LOBBY,
                            is_presence_from(f"{LOBBY}/dan", "unavailable"))
    if kicked is not None:
        item, reason = muc_item(kicked[2]), item_reason(kicked[2])
        run.check("…with status 307, role none and the reason 'you asked for it'",
                  307 in codes(kicked[2]) and item is not None and item.get("role") == "none"
                  and reason == "you asked for it",
                  show("presence", kicked[2]) + f" reason {reason!r}")
    extra = [show(k, e) for _, k, e in run.since("desk", mark, LOBBY)
             if k == "message" and frm(e) == f"{LOBBY}/carol"]
    run.check("carol did not answer the commands", not extra, "; ".join(extra))


# --- errors, self-ping, disco, affiliations ---

def errors(run):
    error_message(run, "laptop", "a groupchat from laptop, never joined to the lobby, bounces",
                  groupchat(LOBBY, "laptop-lobby-1", body="am I in?"), "laptop-lobby-1", LOBBY,
                  "not-acceptable")
    error_message(run, "desk", "a private message to lounge/bob bounces",
                  f"<message to='{LOUNGE}/bob' type='chat' id='desk-pm-1'><body>psst</body>"
                  "</message>", "desk-pm-1", f"{LOUNGE}/bob", "not-allowed")


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
                          LOBBY, is_presence_from(me, "unavailable"))
    if left is not None:
        run.check("…with status code 110", 110 in codes(left[2]), show("presence", left[2]))
    got = run.attempt(f"self-ping of {me} from desk after leaving answers", ping_answer,
                      run.clients["desk"], me)
    if got is not None:
        run.check("…not-acceptable", got == "not-acceptable", f"got {got}")
    error_message(run, "desk", "a groupchat from desk after leaving the lobby bounces",
                  groupchat(LOBBY, "desk-lobby-left", body="still here?"), "desk-lobby-left",
                  LOBBY, "not-acceptable")
    got = run.attempt(f"self-ping of {LOUNGE}/{NICK} from desk (still joined) answers",
                      ping_answer, run.clients["desk"], f"{LOUNGE}/{NICK}")
    if got is not None:
        run.check("…result", got == "result", f"got {got}")


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
            # An invalid JID is bounced by the server itself: jid-malformed from Prosody,
            # bad-request from ejabberd; the bare room JID reaches the gateway.
            want = "jid-malformed" if want_from or harness.SERVER == "prosody" else "bad-request"
            run.check(f"…type error {want}, from {shown}",
                      e.get("type") == "error" and frm(e) == (want_from or to)
                      and error_of(e) == want, show("presence", e))
    joined = [show(k, e) for _, k, e in run.since("desk", 0) if k == "presence"
              and (e.get("id") or "").startswith("hostile") and e.get("type") != "error"]
    run.check("no self-presence came for the refused joins", not joined, "; ".join(joined))
    run.attempt(f"the gateway still answers a ping to {GW}", run.client.ping, GW)
    again = check_join(run, "desk", LOUNGE, LOUNGE_PEOPLE, TOPIC, f"{LOUNGE}/alice",
                       asked="n" * 1000, label="join with a 1,000-character nick,")
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
                             is_presence_from(f"{LOUNGE}/{NICK}", "unavailable"))
        if got is not None:
            run.check("…status codes 110 and 332", codes(got[2]) == {110, 332},
                      show("presence", got[2]))
    stray = [show(k, e) for _, k, e in run.since("desk", marks["desk"], LOBBY)]
    run.check("desk gets nothing from the lobby it had left", not stray, "; ".join(stray))


def restart(run, before):
    for box in run.inbox.values():
        box.clear()
    if not (run.start_gateway() and run.logged_in("gateway #2 logs the session in again")):
        return
    after = check_join(run, "desk", LOUNGE, LOUNGE_PEOPLE, TOPIC, f"{LOUNGE}/alice",
                       label="after the restart, join")
    if after is None:
        return
    run.check("after the restart: the same occupant ids (XEP-0421)", after == before,
              f"{after} vs {before}")
    body, mid = "after the restart", "lounge-msg-2"
    mark, laptop_mark = run.mark("desk"), run.mark("laptop")
    run.send("desk", groupchat(LOUNGE, mid, body=body, origin="lounge-origin-2"))
    got = run.expect_raw("after the restart: desk's message is reflected", "desk", mark, LOUNGE,
                         lambda k, e: k == "message" and frm(e) == f"{LOUNGE}/{NICK}"
                         and e.get("id") == mid)
    if got is not None:
        sid = reflection_checks(run, "desk", got[2], LOUNGE, body, mid, "lounge-origin-2", after)
        answered(run, "desk", mark, LOUNGE, "bob", body, sid, after, got[0])
    stray = [show(k, e) for _, k, e in run.since("laptop", laptop_mark, LOUNGE)]
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
