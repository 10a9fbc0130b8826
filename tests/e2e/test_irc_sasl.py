#!/usr/bin/python3
# End-to-end test of legate-irc with SASL, between a private Prosody 0.12 or ejabberd 23.01
# (LEGATE_E2E_SERVER) and a private InspIRCd 3 with Atheme services (inspircd.py): the second
# IRC server implementation the bridge meets. alice registers the account "alice" with
# NickServ; tester registers with the gateway naming SASL account alice and its password: the
# gateway authenticates (CAP sasl, AUTHENTICATE PLAIN) before the welcome, and alice's WHOIS
# of tester says it is logged in as alice. In #sasl (InspIRCd's PREFIX is (ov)@+) alice is an
# op; a line each way. desk talks to NickServ%127.0.0.1@gw (IDENTIFY: it answers as a
# contact). The throttle follows the server: on InspIRCd's strict port (10 lines then 1 a
# second) with the throttle off, a 30-line message gets tester closed for Excess Flood; the
# gateway says so, reconnects slower (5, then 1 a second) and a 12-line message arrives
# whole. Then `add-server` names "localhost" (the same InspIRCd) with a wrong
# SASL password: the login fails saying why (the gateway's status and log).
# Usage: /usr/bin/python3 test_irc_sasl.py PATH/TO/legate-irc
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from adhoc_helpers import run_command  # noqa: E402
from inspircd import Inspircd  # noqa: E402
from irc_peer import line_is  # noqa: E402
from muc_helpers import WAIT, MucRun, frm, groupchat, muc_item, show  # noqa: E402
from scenario import Checks, run_test  # noqa: E402
from xmpp_helpers import send_chat  # noqa: E402
from test_irc import GW, NICK, SERVER, Run, body  # noqa: E402

TOTAL_TIMEOUT = 120
ROOM = f"#sasl%{SERVER}@{GW}"


class SaslRun(Run):
    def __enter__(self):
        MucRun.__enter__(self)
        self.irc = Inspircd()
        self.prosody.adopt("inspircd", self.irc)
        self.started = self.started and bool(self.attempt("inspircd and atheme started",
                                                          self.irc.start))
        return self


def account(run, alice):
    seen = alice.mark()
    alice.privmsg("NickServ", "REGISTER s3cret alice@example.org")
    return run.attempt("alice registers the account alice with NickServ", alice.expect,
                       lambda ln: ln.command == "NOTICE" and ln.nick == "NickServ"
                       and "registered" in ln.text, WAIT, "NOTICE", seen)


def logged_in(run, alice):
    seen = alice.mark()
    alice.send(f"WHOIS {NICK}")
    got = run.attempt("alice's WHOIS of tester", alice.expect,
                      lambda ln: ln.command in ("330", "318"), WAIT, "330 or 318", seen)
    run.check("…says tester is logged in as alice (330)",
              got is not None and got.command == "330" and got.params[2:3] == ("alice",),
              got and got.raw)


def channel(run, alice):
    if run.attempt("alice creates #sasl", alice.join, "#sasl") is None:
        return
    seq = run.send_join(f"desk joins {ROOM}", "desk", ROOM, NICK, run.next_id("join"))
    if seq is None:
        return
    a = next((e for _, k, e in seq if k == "presence" and frm(e) == f"{ROOM}/alice"), None)
    run.check("…alice is an admin and moderator (@ of PREFIX=(ov)@+)",
              a is not None and (muc_item(a).get("affiliation"), muc_item(a).get("role"))
              == ("admin", "moderator"), show("presence", a) if a is not None else f"{seq}")
    mark = run.mark("desk")
    alice.privmsg("#sasl", "hello from InspIRCd")
    run.expect_raw("alice's line reaches desk", "desk", mark, ROOM,
                   lambda k, e: k == "message" and frm(e) == f"{ROOM}/alice"
                   and body(e) == "hello from InspIRCd")
    seen = alice.mark()
    run.send("desk", groupchat(ROOM, run.next_id("m"), body="hello from XMPP"))
    run.attempt("desk's line reaches alice", alice.expect,
                line_is("PRIVMSG", "#sasl", "hello from XMPP", nick=NICK), WAIT, "PRIVMSG", seen)


def services(run):
    """NickServ is a contact like any nick: desk's chat to NickServ%server@gw is a PRIVMSG to
    it, and Atheme's NOTICE answers come back as chats from that JID."""
    contact = f"NickServ%{SERVER}@{GW}"
    mark = run.mark("desk")
    send_chat(run.client, contact, "IDENTIFY alice s3cret")
    run.expect_raw(f"desk's 'IDENTIFY alice …' to {contact}: NickServ answers with the account",
                   "desk", mark, None, lambda k, e: k == "message"
                   and frm(e).partition("/")[0].lower() == contact.lower()
                   and "logged in as" in (body(e) or "") and "alice" in body(e))


def flood(run, alice):
    """The throttle follows the server: moved to InspIRCd's strict port (10 lines, then 1 a
    second) with the throttle off, tester's 30-line message makes InspIRCd close the
    connection for Excess Flood; the gateway says so, reconnects with a slower throttle
    (5 lines, then 1 a second) and a 12-line message then reaches alice whole."""
    first = run.attempt("ad-hoc configure-server: the choice", run_command, run.client, GW,
                        "configure-server")
    step = first and run.attempt("…127.0.0.1 chosen", run_command, run.client, GW,
                                 "configure-server", {"server": SERVER}, first.sessionid)
    if not step:
        return
    seen = alice.mark()
    run.attempt("…submitted: the strict port, throttle 0 (off)", run_command, run.client, GW,
                "configure-server", {"server": SERVER, "port": str(run.irc.strict_port),
                                     "nick": NICK, "sasl_account": "alice",
                                     "sasl_password": "s3cret", "throttle": "0"},
                step.sessionid)
    if run.attempt("tester is back in #sasl through the strict port", alice.expect,
                   line_is("JOIN", "#sasl", nick=NICK), 20, "JOIN", seen) is None:
        return
    seen = alice.mark()
    run.send("desk", groupchat(ROOM, run.next_id("f"),
                               body="\n".join(f"flood {i}" for i in range(30))))
    run.attempt("InspIRCd closes tester's connection for flooding; the gateway says so",
                harness.wait_until,
                lambda: run.log_count(r"closed the connection for flooding; lines to it now go "
                                      r"out 5 at once, then one per 1000 ms") >= 1, 20, 0.2)
    run.attempt("…reconnects and rejoins #sasl", alice.expect,
                lambda ln: ln.command == "JOIN" and ln.nick == NICK
                and any(x.command == "QUIT" and x.nick == NICK for x in alice.since(seen)),
                30, "JOIN after QUIT", seen)
    seen = alice.mark()
    run.send("desk", groupchat(ROOM, run.next_id("f"),
                               body="\n".join(f"slow {i}" for i in range(12))))
    run.attempt("a 12-line message now reaches alice whole (no second flood)", alice.expect,
                line_is("PRIVMSG", "#sasl", "slow 11", nick=NICK), 20, "slow 11", seen)
    got = [ln.text for ln in alice.since(seen) if ln.command == "PRIVMSG" and ln.nick == NICK]
    run.check("…all 12 lines, in order", got == [f"slow {i}" for i in range(12)], f"{got}")
    run.check("…and the connection stayed up", run.log_count(r"closed the connection for "
                                                             r"flooding") == 1)


def wrong_password(run):
    form = run.attempt("ad-hoc add-server: the form", run_command, run.client, GW, "add-server")
    if form is None:
        return
    run.attempt("…submitted (localhost, a wrong SASL password)", run_command, run.client, GW,
                "add-server", {"server": "localhost", "port": str(run.irc.port),
                               "nick": "tester2", "sasl_account": "alice",
                               "sasl_password": "wrong"}, form.sessionid)
    run.attempt("the login fails saying SASL refused it", harness.wait_until,
                lambda: run.log_count(r"SASL authentication failed") >= 1, 20, 0.2, "log")


def main(binary):
    checks = Checks()
    with SaslRun(binary, checks) as run:
        peers = []

        def alice_account():
            peers.append(run.peer("alice"))
            return peers[0] and account(run, peers[0])
        if run.ready(extra={"sasl_account": "alice", "sasl_password": "s3cret"},
                     before=alice_account):
            alice = peers[0]
            logged_in(run, alice)
            channel(run, alice)
            services(run)
            flood(run, alice)
            wrong_password(run)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT, what="PATH/TO/legate-irc")
