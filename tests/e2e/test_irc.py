#!/usr/bin/python3
# End-to-end test of legate-irc between a private Prosody 0.12 or ejabberd 23.01
# (LEGATE_E2E_SERVER) and a private ngIRCd (ngircd.py), with a slixmpp client "desk" for
# tester and plain-socket IRC peers (irc_peer.py) alice, bob and carol. tester registers with
# the form (server 127.0.0.1, ngIRCd's port, nick tester) and the gateway connects to IRC.
# The gateway's disco has conference/irc beside gateway/irc. alice creates #test (op); desk
# joins #test%127.0.0.1@gw: alice is an admin/moderator participant shown as
# alice%127.0.0.1@gw (non-anonymous: 100 and 110 in the self-presence), alice sees tester
# JOIN. desk's own messages come back with their id and a stanza-id. Both ways in the channel: Unicode, /me ↔ CTCP ACTION,
# three lines → three PRIVMSGs in order, a 900-byte line → pieces within 512 bytes that
# rebuild it, IRC formatting codes stripped, the topic (both ways), corrections (XMPP → IRC
# as a line marked "* ", IRC → XMPP from a sed-style s/old/new/), a version query to an
# occupant (a CTCP VERSION, answered with her reply), desk's self-ping, alice's CTCP VERSION and
# PING to tester answered with NOTICEs, a nick change (303), a
# private message both ways (nick%127.0.0.1@gw), bob joining, parting with a reason (the
# status of his unavailable presence), joining again and being kicked (307). ngIRCd
# restarts: the gateway reconnects and rejoins #test by itself (carol finds tester there, desk
# sees carol come). Before that three users join and quit at once (a netsplit) and desk sees
# each go with the quit message (the gateway keeps no participant row of them), and alice2
# kicks tester from #other: desk gets its own 307. After it the channel's archive (MAM)
# still has what was said before, with count and complete; a page of 2 before the newest is
# the two before it; the search form answers. At the end desk leaves #test with a status (carol sees PART with it) and joins
# again (JOIN). The ad-hoc `join` enters #cmd; `add-server` adds "localhost" (the same ngIRCd by
# another name) with nick tester2, and desk joins #multi%localhost@gw through it;
# `configure-server` shows localhost's settings and changes its nick to tester3 with a line
# to send after connecting, which carol gets from tester3, and a user name and real name
# that carol's WHOIS shows. Usage: /usr/bin/python3 test_irc.py PATH/TO/legate-irc
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from irc_peer import IrcPeer, line_is, same  # noqa: E402
from muc_helpers import (CLIENT_NS, WAIT, MucRun, codes, frm, groupchat,  # noqa: E402
                         muc_item, show, stanza_id)
from ngircd import Ngircd  # noqa: E402
from scenario import Checks, run_test  # noqa: E402
from adhoc_helpers import run_command  # noqa: E402
from xmpp_helpers import register_set, send_chat  # noqa: E402

GW = "gw.localhost"
TOTAL_TIMEOUT = 120
SERVER = "127.0.0.1"
ROOM = f"#test%{SERVER}@{GW}"
NICK = "tester"


BOOKMARKS_NS, PUBSUB_NS = "urn:xmpp:bookmarks:1", "http://jabber.org/protocol/pubsub"


def harness_bookmarks():
    return harness.bookmarks_config(GW, iq=harness.PRIVILEGED_IQ)


def bookmark(run):
    """The check that the channel desk opened by joining it is bookmarked (XEP-0402, the
    pubsub iq grant: Prosody) with autojoin and the nick; nothing to check without it."""
    if not harness.PRIVILEGED_IQ:
        return
    import xml.etree.ElementTree as ET
    room = ROOM.partition("/")[0]

    def items():
        iq = run.client.xmpp.make_iq_get(ito=run.client.xmpp.boundjid.bare)
        pubsub = ET.SubElement(iq.xml, f"{{{PUBSUB_NS}}}pubsub")
        ET.SubElement(pubsub, f"{{{PUBSUB_NS}}}items", node=BOOKMARKS_NS)
        got = run.client.run(iq.send(timeout=5), 6).xml
        return {i.get("id"): i.find(f"{{{BOOKMARKS_NS}}}conference")
                for i in got.iter(f"{{{PUBSUB_NS}}}item")}
    found = run.attempt(f"the bookmark of {room} is published", harness.wait_until,
                        lambda: room in items(), WAIT, 0.3, "bookmark")
    if found:
        c = items()[room]
        run.check("…autojoin, the nick", c is not None and c.get("autojoin") in ("true", "1")
                  and c.findtext(f"{{{BOOKMARKS_NS}}}nick") == NICK,
                  "" if c is None else ET.tostring(c, encoding="unicode"))


def body(e):
    return e.findtext(f"{{{CLIENT_NS}}}body")


def subject(e):
    return e.findtext(f"{{{CLIENT_NS}}}subject")


class Run(MucRun):
    def __init__(self, binary, checks):
        # Bookmarks of channels joined from the client need the pubsub iq grant (Prosody).
        super().__init__(binary, checks, "gateway exits 0 on SIGTERM at the end",
                         **harness_bookmarks())
        self.irc = None
        self.peers = {}

    def __enter__(self):
        super().__enter__()
        self.irc = Ngircd()
        self.prosody.adopt("ngircd", self.irc)
        self.started = self.started and bool(self.attempt("ngircd started", self.irc.start))
        return self

    def __exit__(self, *exc):
        for peer in self.peers.values():
            peer.close()
        try:
            return super().__exit__(*exc)
        finally:
            self.irc.close()

    def peer(self, nick, encoding="utf-8"):
        p = IrcPeer(self.client.run, self.irc.host, self.irc.port, nick, encoding=encoding)
        self.peers[nick] = p
        return self.attempt(f"IRC peer {nick} connected", p.connect) and p

    def ready(self, ports=None, extra=None, before=None):
        """Desk connected, the gateway started, tester registered (the port field: `ports`,
        else the IRC server's port; `extra`: more fields) and connected. `before()` runs
        before the registration and must return something truthy."""
        gw_ok = (self.started and self.connect_resource("desk", ["xep_0050"])
                 and self.start_gateway() and (before is None or before()))
        if not gw_ok:
            return False
        fields = {"server": SERVER, "port": ports or str(self.irc.port), "nick": NICK,
                  "tls": "false", **(extra or {})}
        return bool(self.attempt("registration form accepted", register_set, self.client, GW,
                                 fields)
                    and self.expect("gateway presence 'Connected to 127.0.0.1'",
                                    lambda p: p["type"] == "available"
                                    and (p["status"] or "").startswith("Connected to"),
                                    frm=GW, kind="presence"))

    def from_room(self, mark, nick, pred, what, kind="message"):
        """The check that a `kind` stanza from ROOM/nick matching pred reaches desk after
        mark; the stanza (an Element), or None."""
        got = self.expect_raw(what, "desk", mark, ROOM.partition("/")[0],
                              lambda k, e: k == kind and frm(e) == f"{ROOM}/{nick}"
                              and pred(e))
        return None if got is None else got[2]

    def log_count(self, pattern):
        with open(self.gateway.log_path, encoding="utf-8", errors="replace") as f:
            return len(re.findall(pattern, f.read()))


def join(run, alice):
    info = run.attempt("disco#info of the gateway", run.client.disco_info, GW)
    if info:
        run.check("…a group-chat service: identity conference/irc (as biboumi) beside "
                  "gateway/irc, feature muc",
                  {("conference", "irc"), ("gateway", "irc")} <= {(c, t) for c, t, _ in
                                                                  info["identities"]}
                  and "http://jabber.org/protocol/muc" in info["features"], f"{info}")
    seq = run.send_join(f"desk joins {ROOM}", "desk", ROOM, NICK, run.next_id("join"))
    if seq is None:
        return False
    presences = {frm(e).partition("/")[2]: e for _, k, e in seq if k == "presence"}
    a = presences.get("alice")
    run.check("…alice is there, an admin and moderator (IRC op)",
              a is not None and (muc_item(a).get("affiliation"), muc_item(a).get("role"))
              == ("admin", "moderator"), show("presence", a) if a is not None else f"{seq}")
    run.check(f"…shown with her address alice%{SERVER}@{GW} (non-anonymous, as biboumi)",
              a is not None and muc_item(a).get("jid") == f"alice%{SERVER}@{GW}",
              show("presence", a) if a is not None else f"{seq}")
    me = presences.get(NICK)
    run.check("…the self-presence has 110 and 100 (non-anonymous)",
              me is not None and {100, 110} <= codes(me),
              show("presence", me) if me is not None else f"{seq}")
    run.attempt("alice sees tester JOIN #test", alice.expect,
                line_is("JOIN", "#test", nick=NICK), WAIT)
    return True


def xmpp_to_irc(run, alice):
    cases = [("Unicode", "héllo wörld ✓ 日本", ["héllo wörld ✓ 日本"]),
             ("three lines", "one\ntwo\nthree", ["one", "two", "three"])]
    for what, text, want in cases:
        m = alice.mark()
        mark, mid = run.mark("desk"), run.next_id("m")
        run.send("desk", groupchat(ROOM, mid, body=text))
        run.from_room(mark, NICK, lambda e: e.get("id") == mid
                      and stanza_id(e, ROOM.partition("/")[0]) is not None,
                      f"{what}: desk's copy comes back with its id and a stanza-id")
        got = []
        for piece in want:
            line = run.attempt(f"{what}: alice gets PRIVMSG '{piece}'", alice.expect,
                               lambda ln: ln.command == "PRIVMSG" and same(ln.params[0], "#test")
                               and ln.nick == NICK and ln.text == piece
                               and not any(x is ln for x in got), WAIT, "PRIVMSG", m)
            if line is not None:
                got.append(line)
        run.check(f"{what}: in order", [ln.text for ln in got] == want, f"{[ln.text for ln in got]}")
    m = alice.mark()
    run.send("desk", groupchat(ROOM, run.next_id("m"), body="/me waves"))
    run.attempt("/me: alice gets a CTCP ACTION", alice.expect,
                lambda ln: ln.command == "PRIVMSG" and ln.text == "\x01ACTION waves\x01",
                WAIT, "ACTION", m)
    long_text = " ".join(f"word{i:03d}" for i in range(100)) + " " + "é" * 200  # ~1,200 bytes
    m = alice.mark()
    run.send("desk", groupchat(ROOM, run.next_id("m"), body=long_text))

    run.attempt("a 1,200-byte line arrives as several PRIVMSGs", alice.expect,
                lambda ln: ln.command == "PRIVMSG" and ln.nick == NICK
                and ln.text.endswith("é"), WAIT, "the last piece", m)
    pieces = [ln for ln in alice.since(m) if ln.command == "PRIVMSG" and ln.nick == NICK]
    run.check("…each relayed line within 512 bytes, more than one",
              len(pieces) > 1 and all(len(p.raw.encode()) + 2 <= 512 for p in pieces),
              f"{[len(p.raw.encode()) for p in pieces]}")
    joined = " ".join(p.text for p in pieces)
    run.check("…which rebuild the text (cut at spaces or between characters)",
              joined.replace(" ", "") == long_text.replace(" ", "")
              and joined.split()[:100] == long_text.split()[:100], f"{len(joined)} chars")


def irc_to_xmpp(run, alice):
    mark = run.mark("desk")
    alice.privmsg("#test", "hi from \x02IRC\x02 \x0304,12in red\x03 ✓")
    run.from_room(mark, "alice", lambda e: body(e) == "hi from IRC in red ✓",
                  "alice's PRIVMSG reaches desk, formatting stripped")
    mark = run.mark("desk")
    alice.action("#test", "dances")
    run.from_room(mark, "alice", lambda e: body(e) == "/me dances", "alice's ACTION is '/me dances'")
    mark = run.mark("desk")
    run.attempt("alice sets the topic", alice.topic, "#test", "Topic from IRC")
    run.from_room(mark, "alice", lambda e: subject(e) == "Topic from IRC",
                  "the topic reaches desk as the subject, set by alice")
    m = alice.mark()
    run.send("desk", groupchat(ROOM, run.next_id("s"), inner="<subject>Topic from XMPP</subject>"))
    run.attempt("desk's subject reaches IRC as a TOPIC", alice.expect,
                lambda ln: ln.command == "TOPIC" and ln.nick == NICK and ln.text == "Topic from XMPP",
                WAIT, "TOPIC", m)


CORRECT_NS = "urn:xmpp:message-correct:0"


def corrections(run, alice):
    """XMPP → IRC: a correction goes out as a new line marked '* '. IRC → XMPP: a sed-style
    's/old/new/' corrects alice's previous message (XEP-0308, naming its stanza-id)."""
    mid = run.next_id("c")
    m = alice.mark()
    run.send("desk", groupchat(ROOM, mid, body="helo everyone"))
    run.attempt("alice gets 'helo everyone'", alice.expect,
                lambda ln: ln.command == "PRIVMSG" and ln.text == "helo everyone", WAIT, "", m)
    m = alice.mark()
    run.send("desk", groupchat(ROOM, run.next_id("c"), body="hello everyone",
                               inner=f"<replace xmlns='{CORRECT_NS}' id='{mid}'/>"))
    run.attempt("desk's correction reaches IRC as '* hello everyone'", alice.expect,
                lambda ln: ln.command == "PRIVMSG" and ln.text == "* hello everyone", WAIT, "", m)
    mark = run.mark("desk")
    alice.privmsg("#test", "hello wrold")
    first = run.from_room(mark, "alice", lambda e: body(e) == "hello wrold",
                          "desk gets alice's 'hello wrold'")
    sid = None if first is None else stanza_id(first, ROOM.partition("/")[0])
    mark = run.mark("desk")
    alice.privmsg("#test", "s/wrold/world/")
    fixed = run.from_room(mark, "alice", lambda e: body(e) == "hello world",
                          "alice's s/wrold/world/ reaches desk as 'hello world'")
    if fixed is not None:
        replace = fixed.find(f"{{{CORRECT_NS}}}replace")
        run.check("…a correction (XEP-0308) of her message, by its stanza-id",
                  sid is not None and replace is not None and replace.get("id") == sid,
                  show("message", fixed))


def occupant_version(run, alice):
    """A XEP-0092 query to #test/alice becomes a CTCP VERSION to alice; her answer is the
    result's name. Unanswered: remote-server-timeout (5 s)."""
    import asyncio
    import xml.etree.ElementTree as ET
    iq = run.client.xmpp.make_iq_get(ito=f"{ROOM}/alice")
    ET.SubElement(iq.xml, "{jabber:iq:version}query")
    m = alice.mark()
    pending = asyncio.ensure_future(iq.send(timeout=10), loop=run.client.xmpp.loop)
    asked = run.attempt("a version query to the occupant alice is a CTCP VERSION to her",
                        alice.expect, lambda ln: ln.command == "PRIVMSG" and ln.nick == NICK
                        and ln.text == "\x01VERSION\x01", WAIT, "CTCP VERSION", m)
    if asked is None:
        pending.cancel()
        return
    alice.notice(NICK, "\x01VERSION irc_peer 1.0\x01")
    got = run.attempt("…the query is answered", run.client.run, pending, 11)
    name = None if got is None else got.xml.findtext("{jabber:iq:version}query/"
                                                     "{jabber:iq:version}name")
    run.check("…with her answer as the name", name == "irc_peer 1.0", f"{name!r}")


def self_ping_and_ctcp(run, alice):
    """XEP-0410 self-ping of desk's occupant JID; alice's CTCP VERSION and PING to tester are
    answered with NOTICEs (PING echoes its token)."""
    import xml.etree.ElementTree as ET
    iq = run.client.xmpp.make_iq_get(ito=f"{ROOM}/{NICK}")
    ET.SubElement(iq.xml, "{urn:xmpp:ping}ping")
    got = run.attempt("desk's self-ping of its occupant JID", run.client.run,
                      iq.send(timeout=10), 11)
    run.check("…is a result (desk is joined)", got is not None and got["type"] == "result",
              f"{got}")
    for ask, pred, what in (
            ("\x01VERSION\x01", lambda t: t.startswith("\x01VERSION ") and len(t) > 10,
             "VERSION: a NOTICE with the gateway's version"),
            ("\x01PING 12345 678\x01", lambda t: t == "\x01PING 12345 678\x01",
             "PING: a NOTICE with the same token")):
        time.sleep(1.1)  # the gateway answers one CTCP a second (flood protection)
        m = alice.mark()
        alice.privmsg(NICK, ask)
        run.attempt(f"alice's CTCP {what}", alice.expect,
                    lambda ln: ln.command == "NOTICE" and ln.nick == NICK
                    and same(ln.params[0], "alice") and pred(ln.text), WAIT, "NOTICE", m)


def nick_and_private(run, alice):
    mark = run.mark("desk")
    run.attempt("alice becomes alice2", alice.nick, "alice2")
    gone = run.from_room(mark, "alice", lambda e: e.get("type") == "unavailable"
                         and 303 in codes(e), "desk: alice unavailable with 303", "presence")
    if gone is not None:
        run.check("…naming alice2", muc_item(gone).get("nick") == "alice2", show("presence", gone))
    run.from_room(mark, "alice2", lambda e: e.get("type") is None, "desk: alice2 available",
                  "presence")
    contact = f"alice2%{SERVER}@{GW}"
    mark = run.mark("desk")
    alice.privmsg(NICK, "private hello ✓")
    run.expect_raw("alice2's private message comes from " + contact, "desk", mark, contact,
                   lambda k, e: k == "message" and body(e) == "private hello ✓")
    m = alice.mark()
    send_chat(run.client, contact, "private reply")
    run.attempt("desk's reply reaches alice2 as a private PRIVMSG", alice.expect,
                lambda ln: ln.command == "PRIVMSG" and same(ln.params[0], "alice2")
                and ln.nick == NICK and ln.text == "private reply", WAIT, "PRIVMSG", m)


def kick_bob(run, alice):
    bob = run.peer("bob")
    if not bob:
        return
    mark = run.mark("desk")
    run.attempt("bob joins #test", bob.join, "#test")
    run.from_room(mark, "bob", lambda e: e.get("type") is None, "desk: bob joins", "presence")
    mark = run.mark("desk")
    run.attempt("bob parts #test saying 'bye now'", bob.part, "#test", "bye now")
    run.from_room(mark, "bob", lambda e: e.get("type") == "unavailable"
                  and e.findtext(f"{{{CLIENT_NS}}}status") == "bye now",
                  "desk: bob unavailable with the PART's reason as the status", "presence")
    mark = run.mark("desk")
    run.attempt("bob joins #test again", bob.join, "#test")
    run.from_room(mark, "bob", lambda e: e.get("type") is None, "desk: bob is back", "presence")
    mark = run.mark("desk")
    run.attempt("alice2 kicks bob", alice.kick, "#test", "bob", "out")
    run.from_room(mark, "bob", lambda e: e.get("type") == "unavailable" and 307 in codes(e),
                  "desk: bob unavailable with 307", "presence")


def restart(run):
    run.attempt("ngircd restarts", run.irc.restart)
    carol = run.peer("carol")
    if not carol:
        return None
    run.attempt("the gateway connects again", harness.wait_until,
                lambda: run.log_count(r"connected to 127\.0\.0\.1 as tester") >= 2, 30, 0.2,
                "second connection")
    mark = run.mark("desk")
    names = run.attempt("carol joins #test", carol.join, "#test")
    if names is not None and not any(n.lstrip("@+") == NICK for n in names):
        run.attempt("…tester rejoins #test", carol.expect, line_is("JOIN", "#test", nick=NICK),
                    20)
    else:
        run.check("…tester is back in #test (NAMES)", names is not None, f"{names}")
    run.from_room(mark, "carol", lambda e: e.get("type") is None,
                  "desk (still in #test) sees carol join after the restart", "presence")
    return carol


def kicked(run, alice):
    """In a second channel, #other (alice2 op), alice2 kicks tester: desk's own 307."""
    other = f"#other%{SERVER}@{GW}"
    if run.attempt("alice2 creates #other", alice.join, "#other") is None:
        return
    if run.send_join(f"desk joins {other}", "desk", other, NICK, run.next_id("join")) is None:
        return
    run.attempt("alice2 sees tester JOIN #other", alice.expect,
                line_is("JOIN", "#other", nick=NICK), WAIT)
    mark = run.mark("desk")
    run.attempt("alice2 kicks tester from #other", alice.kick, "#other", NICK, "bye")
    run.expect_raw("desk: its own unavailable presence with 110 and 307", "desk", mark, other,
                   lambda k, e: k == "presence" and frm(e) == f"{other}/{NICK}"
                   and e.get("type") == "unavailable" and {110, 307} <= codes(e))


def mass_quit(run):
    """A netsplit-like burst: three users join #test and quit at once; desk sees each go."""
    peers = [run.peer(n) for n in ("dave", "erin", "frank")]
    if not all(peers):
        return
    mark = run.mark("desk")
    for p in peers:
        run.attempt(f"{p.nickname} joins #test", p.join, "#test")
    for p in peers:
        run.from_room(mark, p.nickname, lambda e: e.get("type") is None,
                      f"desk: {p.nickname} joins", "presence")
    mark = run.mark("desk")
    for p in peers:
        p.send("QUIT :irc.localhost split.localhost")
    for p in peers:
        got = run.from_room(mark, p.nickname, lambda e: e.get("type") == "unavailable",
                            f"desk: {p.nickname} quits", "presence")
        if got is not None:
            run.check("…with the quit message as status",
                      "split.localhost" in (got.findtext(f"{{{CLIENT_NS}}}status") or ""),
                      show("presence", got))
    import contextlib
    import sqlite3
    with contextlib.closing(sqlite3.connect(f"file:{run.db}?mode=ro", uri=True)) as db:
        kept = [n for (n,) in db.execute("SELECT nick FROM participants WHERE nick IN "
                                         "('dave', 'erin', 'frank')")]
    run.check("…and the gateway forgot them (no participant rows left)", kept == [], f"{kept}")


MAM_NS, RSM_NS = "urn:xmpp:mam:2", "http://jabber.org/protocol/rsm"
FORWARD_NS = "urn:xmpp:forward:0"


def history(run):
    """After the restart, the channel's archive (XEP-0313, the last page) still has what was
    said before it, both ways, with count and complete."""
    import xml.etree.ElementTree as ET
    room = ROOM.partition("/")[0]
    mark = run.mark("desk")
    iq = run.client.xmpp.make_iq_set(ito=room)
    query = ET.SubElement(iq.xml, f"{{{MAM_NS}}}query", queryid="irc-q")
    rsm = ET.SubElement(query, f"{{{RSM_NS}}}set")
    ET.SubElement(rsm, f"{{{RSM_NS}}}max").text = "100"
    ET.SubElement(rsm, f"{{{RSM_NS}}}before")
    got = run.attempt("a MAM query to the channel answers", run.client.run,
                      iq.send(timeout=10), 11)
    if got is None:
        return
    bodies, ids = [], []
    for _, kind, e in run.since("desk", mark):
        fwd = e.find(f"{{{MAM_NS}}}result/{{{FORWARD_NS}}}forwarded/{{{CLIENT_NS}}}message")
        if kind == "message" and fwd is not None:
            bodies.append(fwd.findtext(f"{{{CLIENT_NS}}}body"))
            ids.append(e.find(f"{{{MAM_NS}}}result").get("id"))
    run.check("…with alice's message and desk's, from before the restart",
              "hi from IRC in red ✓" in bodies and "héllo wörld ✓ 日本" in bodies,
              f"{len(bodies)} results")
    fin = got.xml.find(f"{{{MAM_NS}}}fin")
    count = None if fin is None else fin.findtext(f"{{{RSM_NS}}}set/{{{RSM_NS}}}count")
    run.check("…a <fin/> with complete and a count", fin is not None
              and fin.get("complete") is not None and count is not None
              and int(count) >= len(bodies), f"count {count}, {len(bodies)} results")
    if len(ids) >= 3:
        mark = run.mark("desk")
        iq = run.client.xmpp.make_iq_set(ito=room)
        query = ET.SubElement(iq.xml, f"{{{MAM_NS}}}query", queryid="irc-q2")
        rsm = ET.SubElement(query, f"{{{RSM_NS}}}set")
        ET.SubElement(rsm, f"{{{RSM_NS}}}max").text = "2"
        ET.SubElement(rsm, f"{{{RSM_NS}}}before").text = ids[-1]
        run.attempt("a page of 2 before the newest answers", run.client.run,
                    iq.send(timeout=10), 11)
        page = [e.find(f"{{{MAM_NS}}}result").get("id") for _, kind, e in run.since("desk", mark)
                if kind == "message" and e.find(f"{{{MAM_NS}}}result") is not None]
        run.check("…with the two results before it, in order", page == ids[-3:-1],
                  f"{page} vs {ids[-3:-1]}")
    iq = run.client.xmpp.make_iq_get(ito=room)
    ET.SubElement(iq.xml, f"{{{MAM_NS}}}query")
    form = run.attempt("the channel's MAM search form answers", run.client.run,
                       iq.send(timeout=10), 11)
    fields = [] if form is None else [f.get("var") for f in form.xml.iter(
        "{jabber:x:data}field")]
    run.check("…a form (FORM_TYPE urn:xmpp:mam:2, with, start, end)",
              {"FORM_TYPE", "with", "start", "end"} <= set(fields), f"{fields}")


def leave_and_come_back(run, carol):
    """desk leaves #test with a status: PART with it; joining again sends JOIN again."""
    m = carol.mark()
    run.send("desk", f"<presence to='{ROOM}/{NICK}' type='unavailable'>"
                     "<status>gone for lunch</status></presence>")
    part = run.attempt("carol sees tester PART #test", carol.expect,
                       line_is("PART", "#test", nick=NICK), WAIT, "PART", m)
    if part is not None:
        run.check("…with desk's status as the reason", part.text == "gone for lunch",
                  part.raw)
    m = carol.mark()
    if run.send_join("desk joins #test again", "desk", ROOM, NICK, run.next_id("join")):
        run.attempt("carol sees tester JOIN #test again", carol.expect,
                    line_is("JOIN", "#test", nick=NICK), WAIT, "JOIN", m)


def commands(run, carol):
    """`join` (ad-hoc) enters #cmd; `add-server` adds 'localhost' (the same ngIRCd by another
    name) as tester2: the gateway connects there too and #multi%localhost@gw is joinable."""
    m = carol.mark()
    first = run.attempt("ad-hoc join: the form", run_command, run.client, GW, "join")
    if first is not None:
        done = run.attempt("…submitted (#cmd on 127.0.0.1)", run_command, run.client, GW, "join",
                           {"channel": "#cmd", "server": SERVER}, first.sessionid)
        notes = " ".join(text for _, text in (done.notes if done else []))
        run.check("…says which JID to open", f"#cmd%{SERVER}@{GW}" in notes, notes)
        run.attempt("carol joins #cmd", carol.join, "#cmd")
        names = carol.since(m)
        run.check("…tester is in #cmd (NAMES)",
                  any(ln.command == "353" and NICK in [n.lstrip("@%+") for n in ln.text.split()]
                      for ln in names), f"{[ln.raw for ln in names][-3:]}")
    form = run.attempt("ad-hoc add-server: the form", run_command, run.client, GW, "add-server")
    if form is None:
        return
    run.attempt("…submitted (localhost, nick tester2)", run_command, run.client, GW,
                "add-server", {"server": "localhost", "port": str(run.irc.port),
                               "nick": "tester2"}, form.sessionid)
    run.attempt("the gateway connects to localhost as tester2", harness.wait_until,
                lambda: run.log_count(r"connected to localhost as tester2") >= 1, 20, 0.2,
                "tester2")
    m = carol.mark()
    run.attempt("carol creates #multi", carol.join, "#multi")
    multi = f"#multi%localhost@{GW}"
    if run.send_join(f"desk joins {multi}", "desk", multi, "tester2", run.next_id("join")):
        run.attempt("carol sees tester2 JOIN #multi", carol.expect,
                    line_is("JOIN", "#multi", nick="tester2"), WAIT, "JOIN", m)
    first = run.attempt("ad-hoc configure-server: the choice", run_command, run.client, GW,
                        "configure-server")
    if first is None:
        return
    step = run.attempt("…localhost chosen: its settings", run_command, run.client, GW,
                       "configure-server", {"server": "localhost"}, first.sessionid)
    if step is None:
        return
    fields = (step.form or {}).get("fields", {})
    run.check("…the form shows its nick and port",
              fields.get("nick", {}).get("values") == ["tester2"]
              and fields.get("port", {}).get("values") == [str(run.irc.port)], f"{fields}")
    m = carol.mark()
    run.attempt("…submitted: nick tester3, a line after connecting", run_command, run.client,
                GW, "configure-server",
                {"server": "localhost", "port": str(run.irc.port), "nick": "tester3",
                 "username": "tuser", "realname": "Tester Three",
                 "after_connect": ["PRIVMSG carol :configured ✓"]}, step.sessionid)
    run.attempt("carol gets the after-connect line from tester3", carol.expect,
                lambda ln: ln.command == "PRIVMSG" and ln.nick == "tester3"
                and ln.text == "configured ✓", 20, "PRIVMSG", m)
    w = carol.mark()
    carol.send("WHOIS tester3")
    who = run.attempt("carol's WHOIS tester3 answers", carol.expect,
                      lambda ln: ln.command == "311", WAIT, "311", w)
    run.check("…with the user name and real name configured (USER tuser … :Tester Three)",
              who is not None and who.params[2].lstrip("~") == "tuser"
              and who.text == "Tester Three", who.raw if who else "")
    # The user's first connection (nick tester, the JID's local part) enters #multi too: in
    # #multi%localhost, where the user is tester3, that is another occupant, never the user.
    run.attempt("carol sees tester3 rejoin #multi", carol.expect,
                line_is("JOIN", "#multi", nick="tester3"), 20, "JOIN", m)
    mark = run.mark("desk")
    same_irc = f"#multi%{SERVER}@{GW}"
    if run.send_join(f"desk joins {same_irc} (as tester)", "desk", same_irc, NICK,
                     run.next_id("join")):
        other = run.expect_raw("in #multi%localhost, IRC's tester is another occupant",
                               "desk", mark, multi,
                               lambda k, e: k == "presence" and frm(e) == f"{multi}/{NICK}"
                               and e.get("type") is None)
        if other is not None:
            run.check("…not the user (no 110)", 110 not in codes(other[2]),
                      show("presence", other[2]))


def main(binary):
    checks = Checks()
    with Run(binary, checks) as run:
        if run.ready():
            alice = run.peer("alice")
            if alice and run.attempt("alice creates #test", alice.join, "#test") is not None \
                    and join(run, alice):
                bookmark(run)
                xmpp_to_irc(run, alice)
                irc_to_xmpp(run, alice)
                corrections(run, alice)
                occupant_version(run, alice)
                self_ping_and_ctcp(run, alice)
                nick_and_private(run, alice)
                kick_bob(run, alice)
                mass_quit(run)
                kicked(run, alice)
                carol = restart(run)
                if carol:
                    history(run)
                    leave_and_come_back(run, carol)
                    commands(run, carol)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT, what="PATH/TO/legate-irc")
