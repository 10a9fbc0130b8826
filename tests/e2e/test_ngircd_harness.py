#!/usr/bin/python3
# Self-test of the IRC side of the end-to-end harness, ngircd.py (a private ngIRCd) and
# irc_peer.py (a plain-socket IRC client on an asyncio loop), before an XMPP<->IRC bridge test
# relies on them: the line parser; a server up on a free loopback port; two users in a channel
# (the creator op), PRIVMSG, ACTION, TOPIC, NICK, KICK and a refusal seen from both sides;
# PING answered; a pre-configured channel and its topic; restart() on the same port; and no
# ngircd process nor temp dir left at the end. Run by meson as e2e-ngircd-harness (no
# gateway involved).
# Usage: /usr/bin/python3 test_ngircd_harness.py
import asyncio
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from irc_peer import IrcError, IrcPeer, line_is, parse_line  # noqa: E402
from ngircd import Ngircd  # noqa: E402
from scenario import Checks, run_test  # noqa: E402

TOTAL_TIMEOUT = 90
WAIT = 5


def check_parser(checks):
    """parse_line on hand-made lines: tags, prefix, middle and trailing parameters."""
    line = parse_line(b"@time=2024-01-01T00:00:00Z;msg=a\\sb\\:c "
                      b":nick!u@h PRIVMSG #c :hi :) \r\n")
    checks.check("parser: tags, prefix, trailing (its spaces kept)",
                 line.tags == {"time": "2024-01-01T00:00:00Z", "msg": "a b;c"}
                 and line.prefix == "nick!u@h" and line.nick == "nick"
                 and line.command == "PRIVMSG" and line.params == ("#c", "hi :) "), repr(line))
    line = parse_line(":irc.localhost 353 me = #c :@a b")
    checks.check("parser: server prefix, numeric", line.nick is None and line.command == "353"
                 and line.params == ("me", "=", "#c", "@a b"), repr(line))
    line = parse_line("ping x\xff".encode("latin-1"))
    checks.check("parser: no prefix, bad UTF-8 replaced", line.prefix == ""
                 and line.command == "PING" and line.params == ("x\ufffd",), repr(line))


def main():
    checks = Checks()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def run(aw, timeout):
        return loop.run_until_complete(asyncio.wait_for(aw, timeout))

    check_parser(checks)
    peers = []

    def peer(nick):
        p = IrcPeer(run, irc.host, irc.port, nick, timeout=WAIT)
        peers.append(p)
        return p.connect()

    with Ngircd(channels={"#lobby": "Welcome to the lobby"}, ping_timeout=5) as irc:
        config, tmp = irc.config, irc.tmp
        began = time.monotonic()
        irc.start()
        print(f"# ngircd on 127.0.0.1:{irc.port} accepted after {time.monotonic() - began:.2f} s;"
              f" configtest warnings: {irc.warnings}", flush=True)
        try:
            a, b = peer("alice"), peer("bob")
            checks.check("both registered (001)", a.server == "irc.localhost"
                         and b.nickname == "bob", f"{a.server} {b.nickname}")
            checks.check("005 says NICKLEN=30", a.isupport.get("NICKLEN") == "30",
                         str(a.isupport))
            names = a.join("#test")
            checks.check("the creator of #test is op", names == ["@alice"], str(names))
            names = b.join("#test")
            checks.check("bob's NAMES of #test", sorted(names) == ["@alice", "bob"], str(names))
            checks.attempt("alice sees bob join", a.expect,
                           line_is("JOIN", "#test", nick="bob"), what="bob's JOIN")
            text = "hello bob, ünïcödé ✓"
            a.privmsg("#test", text)
            checks.attempt("bob gets the PRIVMSG", b.expect, lambda l: l.command ==
                                 "PRIVMSG" and l.params == ("#test", text) and l.nick == "alice",
                                 what="alice's PRIVMSG")
            a.action("#test", "waves")
            checks.attempt("bob gets the ACTION with its \\x01", b.expect, lambda l: l.command ==
                           "PRIVMSG" and l.text == "\x01ACTION waves\x01", what="the ACTION")
            a.topic("#test", "Legate testing")
            checks.attempt("bob sees the TOPIC", b.expect, lambda l: l.command == "TOPIC"
                           and l.params == ("#test", "Legate testing"), what="the TOPIC")
            a.nick("alice_")
            checks.check("alice's nickname followed", a.nickname == "alice_", a.nickname)
            checks.attempt("bob sees the NICK", b.expect,
                           line_is("NICK", "alice_", nick="alice"), what="the NICK")
            a.kick("#test", "bob", "bye bob")
            kick = checks.attempt("bob sees the KICK", b.expect,
                                  line_is("KICK", "#test", "bob", nick="alice_"), what="KICK")
            checks.check("KICK reason", kick is not None and kick.text == "bye bob",
                         str(kick and kick.raw))
            try:
                b.topic("#test", "not mine")
                checks.check("bob (kicked) cannot set the topic", False, "accepted")
            except IrcError as e:
                checks.check("bob (kicked) cannot set the topic", e.line.command in ("442",
                             "482"), e.line.raw)
            try:
                a.send("PRIVMSG #test :" + "x" * 500)
                checks.check("a line over 512 bytes is refused", False, "sent")
            except ValueError:
                checks.check("a line over 512 bytes is refused", True)
            ping = checks.attempt("alice gets a PING (PingTimeout 5 s)", a.expect,
                                  line_is("PING"), 8, "PING", 0)
            checks.check("and answers it with PONG", ping is not None
                         and f"PONG :{ping.text}" in a.sent, str(a.sent[-3:]))
            a.privmsg("bob", "still there?")
            checks.attempt("alice still connected (bob gets a private message)", b.expect,
                           line_is("PRIVMSG", "bob", nick="alice_"), what="private message")
            c = peer("carol")
            names = c.join("#lobby")
            topic = c.since(0)
            checks.check("pre-configured #lobby has its topic (332)", any(
                l.command == "332" and l.text == "Welcome to the lobby" for l in topic))
            print(f"# carol's NAMES of the pre-configured #lobby: {names}", flush=True)
            b.quit("done")
            checks.check("bob's QUIT closed the connection", b.closed)
            irc.restart()
            checks.check("restarted on the same port", irc.running and harness.port_open(
                irc.port), str(irc.port))
            try:
                a.expect(lambda l: False, 3, "the connection's end")
                checks.check("alice notices the restart", False, "still open")
            except ConnectionError:
                checks.check("alice notices the restart", True)
            d = checks.attempt("a new peer connects after restart", peer, "dave")
            if d:
                checks.check("dave joins #test anew as op", d.join("#test") == ["@dave"])
                d.quit()
        finally:
            for p in peers:
                p.close()
    left = subprocess.run(["pgrep", "-f", config], capture_output=True, text=True)
    checks.check("no ngircd left running", left.returncode == 1, left.stdout)
    checks.check("temp dir removed", not os.path.exists(tmp), tmp)
    loop.close()
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT, what=None)
