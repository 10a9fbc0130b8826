#!/usr/bin/python3
# End-to-end test of legate-irc's server settings and connection commands, between a private
# Prosody 0.12 or ejabberd 23.01 (LEGATE_E2E_SERVER) and a private ngIRCd, with the slixmpp
# client "desk" and plain-socket IRC peers. tester registers with the ports "1, PORT": port 1
# refuses, the next one connects. In #modes (alice op), bob's roles follow MODE by what he
# holds (each change also a notice from the room, "alice sets mode +v bob"): +v member, +o
# admin/moderator, -o a voiced member again, +o, -v leaves him an op (no presence), -o
# nobody. A JOIN the server refuses (+i: 473) comes back as the MUC error. `connections` says
# where tester is (nick, port, channels); `disconnect` QUITs 127.0.0.1 with the reason
# (alice sees it, desk gets its unavailable self-presence) and joining #modes again connects
# again. dave's client writes ISO-8859-15: what he says reaches desk as UTF-8; after
# `configure-server` sets the encoding to send in to ISO-8859-15, desk's "€ café" reaches dave
# in his encoding. With the preference `persistent` on, desk leaving #modes leaves tester
# there on IRC (dave's NAMES), and joining again sends no JOIN. desk asks for the nick
# tester9: NICK on IRC, desk gets 303 and its new occupant; dave's nick: conflict. Before
# that, history: `configure-server` refuses a max_history of 500 and takes 2, and a join asking
# for 5 stanzas gets dave's 2 newest lines, delayed; with the preference record_history off,
# dave's next line reaches desk live but neither the next join's history nor MAM.
# configure-channel sets #modes' own settings over the user's: persistent off (the preference
# is on: desk leaving now PARTs), record_history on (the preference is off: recorded again),
# max_history 1 (the server's is 2): the next join gets dave's newest line only; encodings
# ISO-8859-15 in (the server's is ISO-8859-1: dave's "€" arrives as "€", not "¤") and UTF-8
# out (the server's is ISO-8859-15: desk's "€ café" reaches dave as UTF-8 bytes).
# The default throttle: desk's 14-line message reaches dave with at most 10 lines at once, the
# last ones a second apart.
# At the end tester registers again naming "localhost" (the same ngIRCd by another name): the
# server is added (`connections` lists both), #modes keeps its own settings.
# ngIRCd folds names as ascii (CASEMAPPING): #case[1] and #case{1} are two channels there, and
# joining #case[1]%127.0.0.1@gw JOINs #case[1] and shows only what is said in it.
# Usage: /usr/bin/python3 test_irc_admin.py PATH/TO/legate-irc
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from adhoc_helpers import error_of as adhoc_error, run_command  # noqa: E402
from irc_peer import line_is  # noqa: E402
from muc_helpers import (CLIENT_NS, WAIT, codes, error_of, frm, groupchat, is_subject,  # noqa: E402
                         join_presence, muc_item, show)
from scenario import Checks, run_test  # noqa: E402
from test_irc import FORWARD_NS, GW, MAM_NS, NICK, RSM_NS, SERVER, Run, body  # noqa: E402

TOTAL_TIMEOUT = 150
MODES = f"#modes%{SERVER}@{GW}"


def roles(run, mark, nick):
    """(affiliation, role) of each presence of MODES/nick desk got since mark."""
    return [(muc_item(e).get("affiliation"), muc_item(e).get("role"))
            for _, k, e in run.since("desk", mark, MODES)
            if k == "presence" and frm(e) == f"{MODES}/{nick}"]


def mode(run, alice, change, expected):
    """alice's MODE change on bob; the check that desk sees bob `expected` after it."""
    mark = run.mark("desk")
    alice.send(f"MODE #modes {change} bob")
    seen = run.expect_raw(f"MODE {change} bob: desk sees bob {expected}", "desk", mark, MODES,
                          lambda k, e: k == "presence" and frm(e) == f"{MODES}/bob"
                          and (muc_item(e).get("affiliation"), muc_item(e).get("role"))
                          == expected) is not None
    notice = f"alice sets mode {change} bob"
    return seen and run.expect_raw(f"…and the room's notice '{notice}'", "desk", mark, MODES,
                                   lambda k, e: k == "message" and frm(e) == MODES
                                   and e.get("type") == "groupchat"
                                   and body(e) == notice) is not None


def modes(run, alice, bob):
    """bob's roles follow what he holds, not just the last MODE: -o leaves the voice, -v
    leaves the op."""
    if not run.send_join(f"desk joins {MODES}", "desk", MODES, NICK, run.next_id("join")):
        return False
    voiced, op = ("member", "participant"), ("admin", "moderator")
    if not all(mode(run, alice, change, expected) for change, expected in
               (("+v", voiced), ("+o", op), ("-o", voiced), ("+o", op))):
        return True
    mark = run.mark("desk")
    alice.send("MODE #modes -v bob")
    alice.privmsg("#modes", "after -v")  # the server relays in order: a sync point
    run.expect_raw("alice's line after -v bob", "desk", mark, MODES,
                   lambda k, e: k == "message" and body(e) == "after -v")
    seen = roles(run, mark, "bob")
    run.check("…-v left bob an admin and moderator (no presence saying less)",
              all(r == ("admin", "moderator") for r in seen), f"{seen}")
    mode(run, alice, "-o", ("none", "participant"))
    return True


def refused_join(run, alice):
    """+i: the server's 473 is the MUC join error."""
    if run.attempt("alice creates #closed", alice.join, "#closed") is None:
        return
    alice.send("MODE #closed +i")
    room = f"#closed%{SERVER}@{GW}"
    mark = run.mark("desk")
    run.send("desk", join_presence(room, NICK, run.next_id("join")))
    got = run.expect_raw(f"desk's join of {room} is refused", "desk", mark, room,
                         lambda k, e: k == "presence" and e.get("type") == "error")
    if got is not None:
        error = got[2].find(f"{{{CLIENT_NS}}}error")
        text = "" if error is None else " ".join(error.itertext())
        run.check("…registration-required (invite only), the server's text",
                  error_of(got[2]) == "registration-required" and "(+i)" in text,
                  f"{show('presence', got[2])}: {text}")


def case_mapping(run, alice):
    """ngIRCd's CASEMAPPING=ascii: the bridge keeps [ and { apart, as the server does."""
    run.check("the gateway learned that 127.0.0.1 folds names as ascii",
              run.log_count(rf"{SERVER} folds names as ascii") == 1, "")
    if run.attempt("alice joins #case[1] and #case{1}", lambda: (alice.join("#case[1]"),
                                                               alice.join("#case{1}"))) is None:
        return
    room, seen = f"#case[1]%{SERVER}@{GW}", alice.mark()
    if not run.send_join(f"desk joins {room}", "desk", room, NICK, run.next_id("join")):
        return
    run.attempt("alice sees tester JOIN #case[1] (not #case{1})", alice.expect,
                line_is("JOIN", "#case[1]", nick=NICK), WAIT, "JOIN", seen)
    mark = run.mark("desk")
    alice.privmsg("#case{1}", "in braces")
    alice.privmsg("#case[1]", "in brackets")  # the server relays in order: a sync point
    run.expect_raw("alice's line in #case[1] reaches the room", "desk", mark, room,
                   lambda k, e: k == "message" and body(e) == "in brackets")
    said = [body(e) for _, k, e in run.since("desk", mark) if k == "message"]
    run.check("…and her line in #case{1} (another channel) reaches no room",
              "in braces" not in said, f"{said}")


def connections(run, expect):
    """The notes of `connections`, checked to contain each of `expect`."""
    got = run.attempt("ad-hoc connections", run_command, run.client, GW, "connections")
    text = " ".join(t for _, t in (got.notes if got else []))
    run.check(f"…says {expect}", all(e in text for e in expect), text)


def disconnect(run, alice):
    mark, seen = run.mark("desk"), alice.mark()
    first = run.attempt("ad-hoc disconnect: the form", run_command, run.client, GW, "disconnect")
    if first is None:
        return
    run.attempt("…submitted (127.0.0.1, a reason)", run_command, run.client, GW, "disconnect",
                {"server": SERVER, "reason": "see you"}, first.sessionid)
    run.attempt("alice sees tester QUIT with the reason", alice.expect,
                lambda ln: ln.command == "QUIT" and ln.nick == NICK and "see you" in ln.text,
                WAIT, "QUIT", seen)
    me = run.expect_raw("desk gets its unavailable self-presence from #modes", "desk", mark, MODES,
                        lambda k, e: k == "presence" and e.get("type") == "unavailable"
                        and frm(e) == f"{MODES}/{NICK}")
    if me is not None:
        run.check("…with 110", 110 in codes(me[2]), show("presence", me[2]))
    connections(run, [f"{SERVER}: disconnected"])
    seen = alice.mark()
    if run.send_join(f"desk joins {MODES} again: connected again", "desk", MODES, NICK,
                     run.next_id("join")):
        run.attempt("alice sees tester JOIN #modes", alice.expect,
                    line_is("JOIN", "#modes", nick=NICK), WAIT, "JOIN", seen)


def server_settings(run, what):
    """configure-server, then 127.0.0.1 chosen: the step with its settings form, or None."""
    step = run.attempt(what, run_command, run.client, GW, "configure-server")
    return step and run.attempt("…127.0.0.1's settings", run_command, run.client, GW,
                                "configure-server", {"server": SERVER}, step.sessionid)


def dave_says(run, dave, lines, what):
    """dave says `lines` in #modes; the check `what` that the last reaches desk."""
    mark = run.mark("desk")
    for text in lines:
        dave.privmsg("#modes", text)
    run.expect_raw(what, "desk", mark, MODES,
                   lambda k, e: k == "message" and body(e) == lines[-1])


def encodings(run):
    dave = run.peer("dave", encoding="iso-8859-15")
    if not dave or run.attempt("dave joins #modes", dave.join, "#modes") is None:
        return
    dave_says(run, dave, ["déjà vu"], "dave's Latin-9 line reaches desk as UTF-8")
    step = server_settings(run, "ad-hoc configure-server")
    if not step:
        return
    fields = (step.form or {}).get("fields", {})
    run.check("…shows the encodings", fields.get("encoding_in", {}).get("values")
              == ["ISO-8859-1"] and fields.get("encoding_out", {}).get("values") == ["UTF-8"],
              f"{fields}")
    bad = adhoc_error(run_command, run.client, GW, "configure-server",
                      {"server": SERVER, "port": str(run.irc.port), "nick": NICK,
                       "encoding_out": "UTF-16"}, step.sessionid)
    run.check("…an encoding IRC cannot use (UTF-16) is refused: not-acceptable, saying so",
              bad is not None and bad[0] == "not-acceptable" and "encoding" in bad[1], f"{bad}")
    step = server_settings(run, "configure-server again")
    if not step:
        return
    seen = dave.mark()
    run.attempt("…submitted: send in ISO-8859-15", run_command, run.client, GW,
                "configure-server", {"server": SERVER, "port": str(run.irc.port), "nick": NICK,
                                     "encoding_out": "iso-8859-15"}, step.sessionid)
    run.attempt("tester is back in #modes", dave.expect, line_is("JOIN", "#modes", nick=NICK),
                20, "JOIN", seen)
    seen = dave.mark()
    run.send("desk", groupchat(MODES, run.next_id("m"), body="€ café"))
    got = run.attempt("dave gets desk's line", dave.expect,
                      lambda ln: ln.command == "PRIVMSG" and ln.nick == NICK, WAIT, "PRIVMSG",
                      seen)
    run.check("…in his encoding (read as Latin-9: '€ café')", got and got.text == "€ café",
              got and got.raw)
    return dave


DELAY_NS = "urn:xmpp:delay"


def rejoin_history(run, what):
    """desk leaves #modes and joins again asking for 5 stanzas of history: the bodies of the
    delayed messages (from #modes) between its self-presence and the subject, or None."""
    run.send("desk", f"<presence to='{MODES}/{NICK}' type='unavailable'/>")
    mark = run.mark("desk")
    run.send("desk", f"<presence to='{MODES}/{NICK}' id='{run.next_id('join')}'>"
                     "<x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='5'/></x>"
                     "</presence>")
    got = run.attempt(what, run.await_log, "desk", mark, MODES, is_subject, "subject message")
    if got is None:
        return None
    delayed = [e for _, k, e in got if k == "message" and not is_subject(k, e)]
    kinds = [k for _, k, _ in got]
    stamped = [e.find(f"{{{DELAY_NS}}}delay") for e in delayed]
    run.check("…each delayed by #modes, after the self-presence",
              all(d is not None and d.get("from") == MODES for d in stamped)
              and (not delayed or "presence" in kinds[:kinds.index("message")]),
              f"{[show(k, e) for _, k, e in got]}")
    return [body(e) for e in delayed]


def archived_bodies(run):
    """The bodies of #modes' archive (MAM, the last page of 100), or None."""
    import xml.etree.ElementTree as ET
    mark = run.mark("desk")
    iq = run.client.xmpp.make_iq_set(ito=MODES)
    rsm = ET.SubElement(ET.SubElement(iq.xml, f"{{{MAM_NS}}}query"), f"{{{RSM_NS}}}set")
    ET.SubElement(rsm, f"{{{RSM_NS}}}max").text = "100"
    ET.SubElement(rsm, f"{{{RSM_NS}}}before")
    if run.attempt("a MAM query to #modes answers", run.client.run, iq.send(timeout=10),
                   11) is None:
        return None
    path = f"{{{MAM_NS}}}result/{{{FORWARD_NS}}}forwarded/{{{CLIENT_NS}}}message"
    return [e.find(path).findtext(f"{{{CLIENT_NS}}}body") for _, k, e in run.since("desk", mark)
            if k == "message" and e.find(path) is not None]


def history(run, dave):
    """configure-server's max_history (500 refused, 2 kept) caps the history of a join; with
    the preference record_history off, what is said then is in neither history nor MAM."""
    dave_says(run, dave, ["h1", "h2", "h3"], "desk gets dave's h1, h2, h3")
    keep = {"server": SERVER, "port": str(run.irc.port), "nick": NICK,
            "encoding_out": "iso-8859-15"}
    step = server_settings(run, "configure-server")
    if not step:
        return
    fields = (step.form or {}).get("fields", {})
    run.check("…shows max_history, 20 by default",
              fields.get("max_history", {}).get("values") == ["20"], f"{fields}")
    bad = adhoc_error(run_command, run.client, GW, "configure-server",
                      {**keep, "max_history": "500"}, step.sessionid)
    run.check("…a max_history of 500 is refused: not-acceptable",
              bad is not None and bad[0] == "not-acceptable", f"{bad}")
    step = server_settings(run, "configure-server again")
    if not step:
        return
    seen = dave.mark()
    run.attempt("…submitted: max_history 2", run_command, run.client, GW, "configure-server",
                {**keep, "max_history": "2"}, step.sessionid)
    run.attempt("tester is back in #modes", dave.expect, line_is("JOIN", "#modes", nick=NICK),
                20, "JOIN", seen)
    got = rejoin_history(run, "desk joins #modes again asking for 5 stanzas of history")
    run.check("…it gets the 2 newest (the server's max_history)", got == ["h2", "h3"], f"{got}")
    first = run.attempt("ad-hoc preferences", run_command, run.client, GW, "preferences")
    fields = (first.form or {}).get("fields", {}) if first else {}
    run.check("…has record_history, on by default",
              fields.get("record_history", {}).get("values") in (["true"], ["1"]), f"{fields}")
    if not first or not run.attempt("…submitted: record_history off", run_command, run.client,
                                    GW, "preferences", {"record_history": "false"},
                                    first.sessionid):
        return
    dave_says(run, dave, ["off the record"], "desk gets dave's 'off the record' live")
    got = rejoin_history(run, "desk joins #modes again")
    run.check("…its history leaves it out", got == ["h2", "h3"], f"{got}")
    archived = archived_bodies(run)
    run.check("…and so does #modes' MAM, which has h3", archived is not None
              and "h3" in archived and "off the record" not in archived, f"{archived}")


def persistent(run, dave):
    """With the preference `persistent`, leaving from every client leaves tester on IRC."""
    first = run.attempt("ad-hoc preferences: the form", run_command, run.client, GW,
                        "preferences")
    fields = (first.form or {}).get("fields", {}) if first else {}
    run.check("…has persistent, off by default",
              fields.get("persistent", {}).get("values") in (["false"], ["0"]), f"{fields}")
    if not first or not run.attempt("…submitted: persistent on", run_command, run.client, GW,
                                    "preferences", {"persistent": "true"}, first.sessionid):
        return
    seen = dave.mark()
    run.send("desk", f"<presence to='{MODES}/{NICK}' type='unavailable'/>")
    dave.send("NAMES #modes")
    names = run.attempt("dave's NAMES #modes after desk left", dave.expect,
                        lambda ln: ln.command == "366", WAIT, "366", seen)
    listed = [n.lstrip("@%+") for ln in dave.since(seen) if ln.command == "353"
              for n in ln.text.split()]
    run.check("…tester is still there (no PART)", names is not None and NICK in listed
              and not any(ln.command == "PART" for ln in dave.since(seen)), f"{listed}")
    seen = dave.mark()
    if run.send_join(f"desk joins {MODES} again", "desk", MODES, NICK, run.next_id("join")):
        mark = run.mark("desk")
        dave.privmsg("#modes", "still here?")
        run.expect_raw("…and gets dave's next line", "desk", mark, MODES,
                       lambda k, e: k == "message" and body(e) == "still here?")
        run.check("…without a new JOIN on IRC",
                  not any(ln.command == "JOIN" and ln.nick == NICK for ln in dave.since(seen)),
                  f"{[ln.raw for ln in dave.since(seen)]}")


def channel_settings(run, dave):
    """configure-channel's settings of #modes win over the preferences and the server's."""
    key = f"#modes%{SERVER}"
    first = run.attempt("ad-hoc configure-channel", run_command, run.client, GW,
                        "configure-channel")
    if first is None:
        return
    options = (first.form or {}).get("fields", {}).get("channel", {}).get("options", [])
    run.check(f"…offers {key}", key in options, f"{first.form}")
    step = run.attempt(f"…{key} chosen: its settings", run_command, run.client, GW,
                       "configure-channel", {"channel": key}, first.sessionid)
    fields = (step.form or {}).get("fields", {}) if step else {}
    run.check("…each left to the default", fields.get("persistent", {}).get("values")
              == ["default"] and fields.get("record_history", {}).get("values") == ["default"]
              and not any(fields.get("max_history", {}).get("values") or []), f"{fields}")
    if not step:
        return
    bad = adhoc_error(run_command, run.client, GW, "configure-channel",
                      {"channel": key, "max_history": "many"}, step.sessionid)
    run.check("…a max_history of 'many' is refused: not-acceptable",
              bad is not None and bad[0] == "not-acceptable", f"{bad}")
    step = run.attempt("configure-channel again", run_command, run.client, GW,
                       "configure-channel")
    step = step and run.attempt(f"…{key} chosen", run_command, run.client, GW,
                                "configure-channel", {"channel": key}, step.sessionid)
    if not step or not run.attempt(
            "…submitted: persistent off, record_history on, max_history 1, encodings",
            run_command, run.client, GW, "configure-channel",
            {"channel": key, "persistent": "off", "record_history": "on", "max_history": "1",
             "encoding_in": "iso-8859-15", "encoding_out": "utf-8"}, step.sessionid):
        return
    dave_says(run, dave, ["c1", "c2"], "desk gets dave's c1, c2")
    seen = dave.mark()
    got = rejoin_history(run, "desk leaves #modes and joins again asking for 5 stanzas")
    run.check("…dave saw tester PART in between (the channel is not persistent)",
              any(ln.command == "PART" and ln.nick == NICK for ln in dave.since(seen)),
              f"{[ln.raw for ln in dave.since(seen)]}")
    run.check("…the history is c2 alone (recorded, the channel's max_history 1)",
              got == ["c2"], f"{got}")
    dave_says(run, dave, ["€ 5"], "dave's Latin-9 '€ 5' reaches desk as '€ 5' (#modes' "
              "encoding_in)")
    seen = dave.mark()
    run.send("desk", groupchat(MODES, run.next_id("m"), body="€ café"))
    got = run.attempt("dave gets desk's next line", dave.expect,
                      lambda ln: ln.command == "PRIVMSG" and ln.nick == NICK, WAIT, "PRIVMSG",
                      seen)
    utf8_read_as_latin9 = "€ café".encode("utf-8").decode("iso-8859-15")
    run.check("…in UTF-8 (#modes' encoding_out), not the server's ISO-8859-15",
              got and got.text == utf8_read_as_latin9, got and got.raw)


def nick_change(run, dave):
    """desk asks for the nick tester9 in #modes: NICK on IRC, 303 then the new occupant; dave's
    nick is taken: conflict from #modes/dave."""
    mark, seen = run.mark("desk"), dave.mark()
    run.send("desk", f"<presence to='{MODES}/tester9' id='{run.next_id('nick')}'/>")
    run.attempt("dave sees tester NICK tester9", dave.expect,
                lambda ln: ln.command == "NICK" and ln.nick == NICK and ln.text == "tester9",
                WAIT, "NICK", seen)
    gone = run.expect_raw("desk gets its 303 (unavailable, nick tester9, 110)", "desk", mark,
                          MODES, lambda k, e: k == "presence" and frm(e) == f"{MODES}/{NICK}"
                          and e.get("type") == "unavailable" and 303 in codes(e)
                          and 110 in codes(e) and muc_item(e).get("nick") == "tester9")
    if gone is not None:
        run.expect_raw("…then its presence as tester9 (110)", "desk", mark, MODES,
                       lambda k, e: k == "presence" and frm(e) == f"{MODES}/tester9"
                       and e.get("type") is None and 110 in codes(e))
    mark = run.mark("desk")
    run.send("desk", f"<presence to='{MODES}/dave' id='{run.next_id('nick')}'/>")
    got = run.expect_raw("asking for dave's nick is refused", "desk", mark, MODES,
                         lambda k, e: k == "presence" and e.get("type") == "error")
    if got is not None:
        run.check("…conflict, from #modes/dave", error_of(got[2]) == "conflict"
                  and frm(got[2]) == f"{MODES}/dave", show("presence", got[2]))


def throttle(run, dave):
    """The default outgoing throttle (10 lines at once, then one a second)."""
    import time
    seen = dave.mark()
    run.send("desk", groupchat(MODES, run.next_id("m"),
                               body="\n".join(f"line {i}" for i in range(14))))

    def arrivals():
        times = []
        for i in range(14):
            dave.expect(lambda ln, i=i: ln.command == "PRIVMSG" and ln.text == f"line {i}", 10,
                        f"line {i}", seen)
            times.append(time.monotonic())
        return times
    times = run.attempt("dave gets desk's 14 lines, in order", arrivals)
    if times is None:
        return
    burst = max(sum(1 for t in times if start <= t < start + 0.5) for start in times)
    run.check("…at most 10 lines within half a second", burst <= 10,
              f"{[round(t - times[0], 2) for t in times]}")
    run.check("…the last 4 a second apart (3 s or more after line 9)",
              times[13] - times[9] >= 3.0, f"{[round(t - times[0], 2) for t in times]}")


def register_again(run):
    """A second registration adds a server; what the user had stays."""
    from xmpp_helpers import register_set
    if run.attempt("tester registers again, naming localhost", register_set, run.client, GW,
                   {"server": "localhost", "port": str(run.irc.port), "nick": "tester5"}) is None:
        return

    def both():
        got = run_command(run.client, GW, "connections")
        text = " ".join(t for _, t in got.notes)
        return text if "localhost: connected as tester5" in text and \
            f"{SERVER}: connected" in text else None
    text = run.attempt("…connections lists 127.0.0.1 and localhost (the server was added)",
                       harness.wait_until, both, 20, 0.5, "both servers")
    if text is None:
        return
    first = run.attempt("configure-channel", run_command, run.client, GW, "configure-channel")
    step = first and run.attempt("…#modes chosen", run_command, run.client, GW,
                                 "configure-channel", {"channel": f"#modes%{SERVER}"},
                                 first.sessionid)
    fields = (step.form or {}).get("fields", {}) if step else {}
    run.check("…#modes kept its own settings (persistent off, max_history 1)",
              fields.get("persistent", {}).get("values") == ["off"]
              and fields.get("max_history", {}).get("values") == ["1"], f"{fields}")


def main(binary):
    checks = Checks()
    with Run(binary, checks) as run:
        if run.ready(ports=f"1, {run.irc.port}"):
            run.check("the gateway tried port 1 first, then connected on the next",
                      run.log_count(rf"\(ports 1, {run.irc.port}\)") >= 1, "")
            alice, bob = run.peer("alice"), run.peer("bob")
            if alice and bob and run.attempt("alice creates #modes", alice.join, "#modes") \
                    is not None and run.attempt("bob joins", bob.join, "#modes") is not None \
                    and modes(run, alice, bob):
                refused_join(run, alice)
                connections(run, [f"{SERVER}: connected as {NICK} on port {run.irc.port} "
                                  "(no TLS), in #modes"])
                case_mapping(run, alice)
                disconnect(run, alice)
                dave = encodings(run)
                if dave:
                    history(run, dave)
                    persistent(run, dave)
                    channel_settings(run, dave)
                    nick_change(run, dave)
                    throttle(run, dave)
                    register_again(run)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT, what="PATH/TO/legate-irc")
