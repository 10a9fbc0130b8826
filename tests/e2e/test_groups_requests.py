#!/usr/bin/python3
# End-to-end test of the group requests a bridge hook decides, through legate-echo against a
# private Prosody 0.12. The user tester registers (two-factor, username tester-echo: the
# user's nick in every room) and is connected from desk and laptop. desk joins the lounge (a
# group: alice, bob) and laptop joins it with Dino/Movim's <mav/> in the <x/> of the join
# (a normal join: participants, self-presence 110, subject); both join the lobby (a channel:
# carol, dave). Chat states and markers: desk's <composing/> is reflected to both resources
# without a stanza-id and bob's composing comes (occupant id, no stanza-id); desk's
# <displayed/> naming the stanza-id of bob's answer is reflected and alice's marker with the
# same id comes. Invitations: a XEP-0249 direct invite of carol and a XEP-0045 §7.8.2
# mediated one of erin to the lounge make each join (available presence, real JID) and say
# "thanks for the invitation"; to the lobby (no hook) feature-not-implemented, from the
# address invited at; to nowhere@ item-not-found. muc#admin: bob made admin (his new
# presence, then the result; the admin list names him), carol banned (301 with the reason),
# dave kicked from the lobby (307 with the reason, at both resources, before the result), an
# unknown nick item-not-found. muc#owner: destroy without the hook is forbidden, the config
# form feature-not-implemented, and the lounge keeps working. Leaving for good (§7.10,
# XEP-0077 <remove/> to the room): the room's register get answers <registered/> and the
# nick; the remove gives every joined resource its unavailable 110, then the result; the
# user stays registered with the gateway, 1:1 chat and the lounge still work, a groupchat to
# the lobby is refused (item-not-found from the lobby). The gateway still answers a ping at
# the end. Stanzas are sent raw and logged raw (message, presence, iq) in order, so orders
# can be checked (RawLog and the raw-stanza helpers are in muc_helpers.py, shared with
# test_groups.py).
# Usage: /usr/bin/python3 test_groups_requests.py PATH/TO/legate-echo
# One "ok - ..." / "not ok - ..." line per check; exit 0 only if all pass.
# LEGATE_KEEP_TMP=1 keeps the temp dirs, LEGATE_E2E_DEBUG=1 traces slixmpp.
import os
import sys
from xml.sax.saxutils import quoteattr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from muc_helpers import (CODE, GW, LOBBY, LOUNGE, MUC_ADMIN_NS, MUC_OWNER_NS,  # noqa: E402
                         MUC_USER_NS, NICK, RESOURCES, WAIT, MucRun, admin_items, codes,
                         error_of, frm, groupchat, is_presence_from, item_reason, join_parts,
                         muc_item, nick_of, occupant_id, show, shown, stanza_id, text_of)
from scenario import Checks, run_test  # noqa: E402
from xmpp_helpers import CHATSTATES_NS, MARKERS_NS, REGISTER_NS, register_get  # noqa: E402

TOTAL_TIMEOUT = 60        # hard cap on the run (about 8 s when all goes well)
CAROL, ERIN = f"carol@{GW}", f"erin@{GW}"   # echo contacts not in the lounge
MAV = "<mav xmlns='urn:xmpp:muc-affiliations:0' since='1'/>"


class Run(MucRun):
    """tester from desk and laptop: clients, inboxes and raw logs (message, presence and iq)
    by resource; requests sent raw from desk."""

    def __init__(self, binary, checks):
        super().__init__(binary, checks, end_check="gateway exits 0 on SIGTERM at the end",
                         kinds=("message", "presence", "iq"))

    def ready(self):
        return bool(self.started and all(self.connect_resource(r) for r in RESOURCES)
                    and self.start_gateway("--echo.registration", "two-factor",
                                           "--echo.code", CODE)
                    and self.register_two_factor(CODE, NICK) and self.logged_in())

    def request(self, name, kind, xml, mid, timeout=WAIT):
        """Sends xml (a `kind` with the id mid) raw from desk; the check that a `kind` with
        that id comes back. Returns (seq, kind, element) or None."""
        mark = self.mark("desk")
        self.send("desk", xml)
        return self.expect_raw(name, "desk", mark, None,
                               lambda k, e: k == kind and e.get("id") == mid, timeout)

    def iq(self, name, to, typ, payload):
        iid = self.next_id("iq")
        return self.request(name, "iq", f"<iq type='{typ}' to={quoteattr(to)} id='{iid}'>"
                                        f"{payload}</iq>", iid)

    def error_check(self, got, to, condition=None):
        """The check that the answer `got` is an error (`condition`; None: any) from `to`."""
        if got is not None:
            self.check(f"…an error {condition or '(any)'} from {to}",
                       got[2].get("type") == "error" and frm(got[2]) == to
                       and (condition is None or error_of(got[2]) == condition),
                       show(got[1], got[2]))


def is_result(got):
    return got is not None and got[2].get("type") == "result"


# --- joins ---

def join(run, res, room, people, extra="", label="joins"):
    """res joins room as NICK (extra: more inside the join's <x/>): the participants'
    presences, the self-presence (the join's id, 110), the subject last."""
    jid_id = run.next_id(f"{res}-join")
    what = f"{res} {label} {room.partition('@')[0]}"
    seq = run.send_join(f"{what}: the subject comes", res, room, NICK, jid_id, extra)
    if seq is None:
        return
    me, others = join_parts(seq, room)
    ok = me is not None and sorted(nick_of(e) for e in others) == sorted(people)
    run.check(f"{what}: presences of {', '.join(sorted(people))}, then the self-presence, then "
              "the subject", ok, shown(seq))
    if ok:
        want = {110} | ({100} if room == LOUNGE else set())
        run.check(f"{what}: self-presence with the join id and status codes {sorted(want)}",
                  me.get("id") == jid_id and me.get("type") is None and codes(me) == want,
                  show("presence", me))
        ids = [occupant_id(e) for e in others + [me]]
        run.check(f"{what}: every occupant has an occupant id", all(ids), f"{ids}")


# --- chat states and markers ---

def notice(run, res, mark, nick, what, ns, name, target=None, mid=None):
    """A chat state or marker <name/> reaches res from lounge/nick (with the id mid if given):
    groupchat, an occupant id, no stanza-id, no body; a marker names the stanza-id target."""
    got = run.expect_raw(f"{res} gets {what} from lounge/{nick}", res, mark, LOUNGE,
                         lambda k, e: k == "message" and frm(e) == f"{LOUNGE}/{nick}"
                         and e.find(f"{{{ns}}}{name}") is not None
                         and (mid is None or e.get("id") == mid))
    if got is not None:
        e = got[2]
        child = e.find(f"{{{ns}}}{name}")
        run.check(f"{res}: …groupchat, an occupant id, no stanza-id, no body"
                  + (", naming bob's message by its stanza-id" if target else ""),
                  e.get("type") == "groupchat" and bool(occupant_id(e)) and stanza_id(e) is None
                  and text_of(e, "body") is None and (not target or child.get("id") == target),
                  show("message", e) + f" <{name} id={child.get('id')!r}/>")


def chat_states_and_markers(run):
    marks = {r: run.mark(r) for r in RESOURCES}
    run.send("desk", groupchat(LOUNGE, "typing-1", f"<composing xmlns='{CHATSTATES_NS}'/>"))
    for res in RESOURCES:
        notice(run, res, marks[res], NICK, "desk's <composing/> reflected", CHATSTATES_NS,
               "composing", mid="typing-1")
    notice(run, "desk", marks["desk"], "bob", "bob's <composing/>", CHATSTATES_NS, "composing")
    mark = run.mark("desk")
    run.send("desk", groupchat(LOUNGE, "read-me-1", body="read me"))
    got = run.expect_raw("bob answers desk's message in the lounge", "desk", mark, LOUNGE,
                         lambda k, e: k == "message" and frm(e) == f"{LOUNGE}/bob"
                         and text_of(e, "body") == "bob heard: read me")
    sid = got and stanza_id(got[2], LOUNGE)
    if not run.check("…with the room's stanza-id", bool(sid), got and show("message", got[2])):
        return
    marks = {r: run.mark(r) for r in RESOURCES}
    run.send("desk", groupchat(LOUNGE, "marker-1", f"<displayed xmlns='{MARKERS_NS}' id='{sid}'/>"))
    for res in RESOURCES:
        notice(run, res, marks[res], NICK, "desk's <displayed/> of bob's message reflected",
               MARKERS_NS, "displayed", target=sid, mid="marker-1")
    notice(run, "desk", marks["desk"], "alice", "alice's <displayed/> of bob's message",
           MARKERS_NS, "displayed", target=sid)


# --- invitations ---

def invited(run, what, xml, contact):
    """An invite to the lounge accepted: at both resources the contact's available presence
    (a new occupant), then its 'thanks for the invitation'. Returns its nick in the lounge."""
    marks = {r: run.mark(r) for r in RESOURCES}
    run.send("desk", xml)
    nick = None
    for res in RESOURCES:
        thanks = run.expect_raw(f"{what}: {res} gets 'thanks for the invitation' in the lounge",
                                res, marks[res], LOUNGE, lambda k, e: k == "message"
                                and text_of(e, "body") == "thanks for the invitation")
        if thanks is None:
            continue
        occupant, e = frm(thanks[2]), thanks[2]
        if res == "desk":
            nick = occupant.partition("/")[2]
            run.check(f"{what}: …groupchat from an occupant, a stanza-id, an occupant id",
                      e.get("type") == "groupchat" and bool(nick)
                      and bool(stanza_id(e, LOUNGE)) and bool(occupant_id(e)), show("message", e))
        before = [(k, p) for n, k, p in run.since(res, marks[res], LOUNGE)
                  if n < thanks[0] and k == "presence" and frm(p) == occupant]
        run.check(f"{what}: {res}: …after the new occupant's available presence (jid {contact})",
                  any(p.get("type") is None and muc_item(p) is not None
                      and muc_item(p).get("jid") == contact for _, p in before),
                  f"presences from {occupant} before it: "
                  + ("; ".join(show(k, p) for k, p in before) or "none"))
    errors = [show(k, e) for _, k, e in run.since("desk", marks["desk"])
              if e.get("type") == "error"]
    run.check(f"{what}: no error comes back", not errors, "; ".join(errors))
    return nick


def direct_invite(to, room, mid, reason="join us"):
    return (f"<message to={quoteattr(to)} id='{mid}'><x xmlns='jabber:x:conference' "
            f"jid={quoteattr(room)} reason={quoteattr(reason)}/></message>")


def mediated_invite(room, contact, mid, reason="come in"):
    return (f"<message to={quoteattr(room)} id='{mid}'><x xmlns='{MUC_USER_NS}'><invite "
            f"to={quoteattr(contact)}><reason>{reason}</reason></invite></x></message>")


def invitations(run):
    carol = invited(run, "direct invite (XEP-0249) of carol",
                    direct_invite(CAROL, LOUNGE, "inv-1"), CAROL)
    invited(run, "mediated invite (§7.8.2) of erin", mediated_invite(LOUNGE, ERIN, "inv-2"), ERIN)
    for what, xml, mid, to, condition in (
            ("a mediated invite to the lobby", mediated_invite(LOBBY, ERIN, "inv-3"), "inv-3",
             LOBBY, "feature-not-implemented"),
            ("a direct invite to the lobby", direct_invite(CAROL, LOBBY, "inv-4"), "inv-4", CAROL,
             "feature-not-implemented"),
            (f"a direct invite to nowhere@{GW}", direct_invite(CAROL, f"nowhere@{GW}", "inv-5"),
             "inv-5", CAROL, "item-not-found")):
        run.error_check(run.request(f"{what} bounces", "message", xml, mid), to, condition)
    return carol


# --- muc#admin: affiliations and kicks ---

def admin_item(item):
    return f"<query xmlns='{MUC_ADMIN_NS}'>{item}</query>"


def admin_list(run, room, affiliation, want):
    got = run.iq(f"muc#admin {affiliation} list of {room} answers", room, "get",
                 admin_item(f"<item affiliation='{affiliation}'/>"))
    if is_result(got):
        items = admin_items(got[2])
        listed = ", ".join(f"{n} ({j or 'no jid'})" for _, n, j in want)
        run.check(f"…lists {listed}", items == want, f"got {items}")


def change(run, name, room, payload, pred, check, ok):
    """An iq set to room whose change shows as a presence matching pred at both resources,
    before the result; ok(presence, its muc#user item) checks that presence."""
    marks = {r: run.mark(r) for r in RESOURCES}
    answer = run.iq(f"{name}: the iq is answered", room, "set", payload)
    run.check(f"{name}: …result", is_result(answer), answer and show("iq", answer[2]))
    for res in RESOURCES:
        got = run.expect_raw(f"{name}: {res} gets the presence", res, marks[res], room, pred)
        if got is None:
            continue
        item = muc_item(got[2])
        run.check(f"{name}: {res}: …{check}", item is not None and ok(got[2], item),
                  show("presence", got[2]) + f" reason {item_reason(got[2])!r}")
        if res == "desk" and answer is not None:
            run.check(f"{name}: …the presence came before the iq result", got[0] < answer[0],
                      f"presence #{got[0]}, result #{answer[0]}")


def affiliations(run, carol):
    change(run, "bob made admin of the lounge", LOUNGE,
           admin_item(f"<item jid='bob@{GW}' affiliation='admin'/>"),
           is_presence_from(f"{LOUNGE}/bob"), "available, affiliation admin, jid bob@",
           lambda e, i: i.get("affiliation") == "admin" and i.get("jid") == f"bob@{GW}")
    admin_list(run, LOUNGE, "admin", [("admin", "bob", f"bob@{GW}")])
    if carol:
        change(run, "carol banned from the lounge", LOUNGE,
               admin_item(f"<item jid='{CAROL}' affiliation='outcast'><reason>bye</reason></item>"),
               is_presence_from(f"{LOUNGE}/{carol}", "unavailable"),
               "status 301, affiliation outcast, role none, the reason",
               lambda e, i: 301 in codes(e) and i.get("affiliation") == "outcast"
               and i.get("role") == "none" and item_reason(e) == "bye")
        admin_list(run, LOUNGE, "outcast", [("outcast", carol, CAROL)])


def kicks(run):
    change(run, "dave kicked from the lobby", LOBBY,
           admin_item("<item nick='dave' role='none'><reason>r</reason></item>"),
           is_presence_from(f"{LOBBY}/dave", "unavailable"), "status 307, role none, the reason",
           lambda e, i: 307 in codes(e) and i.get("role") == "none" and item_reason(e) == "r")
    run.error_check(run.iq("a kick of an unknown nick is answered", LOBBY, "set",
                           admin_item("<item nick='zed' role='none'/>")), LOBBY, "item-not-found")


# --- muc#owner without the hook ---

def lounge_works(run, what, mid):
    mark = run.mark("desk")
    run.send("desk", groupchat(LOUNGE, mid, body=mid))
    run.expect_raw(f"{what}: desk's lounge message is reflected", "desk", mark, LOUNGE,
                   lambda k, e: k == "message" and frm(e) == f"{LOUNGE}/{NICK}"
                   and e.get("id") == mid)
    run.expect_raw(f"{what}: bob answers it", "desk", mark, LOUNGE,
                   lambda k, e: k == "message" and frm(e) == f"{LOUNGE}/bob"
                   and text_of(e, "body") == f"bob heard: {mid}")


def owner(run):
    mark = run.mark("desk")
    run.error_check(run.iq("muc#owner <destroy/> of the lounge is answered", LOUNGE, "set",
                           f"<query xmlns='{MUC_OWNER_NS}'><destroy><reason>x</reason></destroy>"
                           "</query>"), LOUNGE, "forbidden")
    run.error_check(run.iq("muc#owner get (the config form) of the lounge is answered", LOUNGE,
                           "get", f"<query xmlns='{MUC_OWNER_NS}'/>"), LOUNGE,
                    "feature-not-implemented")
    gone = [show(k, e) for _, k, e in run.since("desk", mark, LOUNGE) if k == "presence"]
    run.check("no presence from the lounge after the refused destroy", not gone, "; ".join(gone))
    lounge_works(run, "after the refused destroy", "still-here-1")


# --- leaving for good ---

def leave(run):
    got = run.iq("register get to the lobby is answered", LOBBY, "get",
                 f"<query xmlns='{REGISTER_NS}'/>")
    if got is not None:
        query = got[2].find(f"{{{REGISTER_NS}}}query")
        run.check(f"…<registered/> and <username>{NICK}</username>", is_result(got)
                  and query is not None and query.find(f"{{{REGISTER_NS}}}registered") is not None
                  and query.findtext(f"{{{REGISTER_NS}}}username") == NICK, show("iq", got[2]))
    me = f"{LOBBY}/{NICK}"
    change(run, "<remove/> to the lobby (leaving for good)", LOBBY,
           f"<query xmlns='{REGISTER_NS}'><remove/></query>", is_presence_from(me, "unavailable"),
           f"the unavailable self-presence from {me}, status code 110",
           lambda e, i: codes(e) == {110})
    got = run.attempt(f"after leaving: register get to {GW} answers", register_get, run.client, GW)
    run.check("…still <registered/> with the gateway", got and got["registered"], f"{got}")
    mark = run.mark("desk")
    run.send("desk", f"<message to='{CAROL}' type='chat' id='chat-1'><body>still there?</body>"
                     "</message>")
    run.expect_raw("after leaving: a chat message to carol is echoed", "desk", mark, CAROL,
                   lambda k, e: k == "message" and (text_of(e, "body") or "").startswith("Echo (")
                   and "still there?" in text_of(e, "body"))
    lounge_works(run, "after leaving the lobby", "still-here-2")
    run.error_check(run.request("after leaving: a groupchat from desk to the lobby is refused",
                                "message", groupchat(LOBBY, "lobby-after", body="anyone?"),
                                "lobby-after", timeout=5), LOBBY, "item-not-found")


def main(binary):
    checks = Checks()
    with Run(binary, checks) as run:
        if not run.ready():
            return checks.summary()
        join(run, "desk", LOUNGE, {"alice", "bob"})
        join(run, "laptop", LOUNGE, {"alice", "bob"}, extra=MAV, label="joins with <mav/>")
        join(run, "desk", LOBBY, {"carol", "dave"})
        join(run, "laptop", LOBBY, {"carol", "dave"})
        chat_states_and_markers(run)
        carol = invitations(run)
        affiliations(run, carol)
        owner(run)
        kicks(run)
        leave(run)
        run.attempt(f"the gateway still answers a ping to {GW}", run.client.ping, GW)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
