#!/usr/bin/python3
# End-to-end test of legate-irc's connection settings against a private ngIRCd that wants a
# server password and also listens with TLS (a self-signed certificate for 127.0.0.1), beside
# Prosody 0.12 or ejabberd 23.01 (LEGATE_E2E_SERVER):
#   - tester registers TLS on the TLS port, certificate check off, the right password: the
#     gateway logs in, desk joins #secure, and alice (plain port, PASS) gets desk's message;
#   - eve registers TLS with the certificate check on: the login fails and the gateway's
#     status says the certificate was refused;
#   - mallory registers the plain port with a wrong password: the login fails and the status
#     says the server closed the connection (ngIRCd's "Access denied: Bad password");
#   - the admin allows 127.0.0.1 and localhost only ([irc] servers): zed naming another
#     server is refused not-allowed.
# Usage: /usr/bin/python3 test_irc_tls.py PATH/TO/legate-irc
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from irc_peer import IrcPeer  # noqa: E402
from muc_helpers import WAIT, MucRun, groupchat  # noqa: E402
from ngircd import Ngircd  # noqa: E402
from scenario import Checks, run_test  # noqa: E402
from slixmpp.exceptions import IqError  # noqa: E402
from xmpp_helpers import Inbox, register_set  # noqa: E402

GW = "gw.localhost"
TOTAL_TIMEOUT = 90
PASSWORD = "irc-secret"
ROOM = f"#secure%127.0.0.1@{GW}"


class Run(MucRun):
    def __init__(self, binary, checks):
        super().__init__(binary, checks, "gateway exits 0 on SIGTERM at the end")
        self.users = ("tester", "eve", "mallory", "zed")
        self.irc = None

    def __enter__(self):
        super().__enter__()
        self.irc = Ngircd(password=PASSWORD, tls=True)
        self.prosody.adopt("ngircd", self.irc)
        self.started = self.started and bool(self.attempt("ngircd (password, TLS) started",
                                                          self.irc.start))
        return self

    def __exit__(self, *exc):
        try:
            return super().__exit__(*exc)
        finally:
            self.irc.close()

    def register(self, user, fields):
        client = harness.Client(self.prosody, user, f"{user}-pw", timeout=5)
        self.clients[user] = client
        if not self.attempt(f"{user} connected", client.connect):
            return None
        self.inbox[user] = Inbox(client).attach()
        base = {"server": "127.0.0.1", "nick": user}
        if not self.attempt(f"{user}'s registration accepted", register_set, client, GW,
                            {**base, **fields}):
            return None
        return client

    def status(self, user, what, pred):
        return self.expect(what, lambda p: p["type"] != "unavailable" and pred(p["status"]),
                           frm=GW, kind="presence", user=user)


def main(binary):
    checks = Checks()
    with Run(binary, checks) as run:
        # The admin lets users name these two servers only ([irc] servers).
        if not (run.started and run.connect_resource("desk")
                and run.start_gateway("--irc.servers", "127.0.0.1, LocalHost")):
            return checks.summary()
        fields = {"server": "127.0.0.1", "port": str(run.irc.tls_port), "tls": "true",
                  "verify": "false", "nick": "tester", "password": PASSWORD}
        if run.attempt("tester registers (TLS, no certificate check, the password)",
                       register_set, run.client, GW, fields) and \
                run.expect("tester is logged in over TLS",
                           lambda p: (p["status"] or "").startswith("Connected to"),
                           frm=GW, kind="presence"):
            alice = IrcPeer(run.client.run, run.irc.host, run.irc.port, "alice",
                            password=PASSWORD)
            if run.attempt("alice connects with the password", alice.connect) and \
                    run.attempt("alice joins #secure", alice.join, "#secure") is not None and \
                    run.send_join("desk joins #secure", "desk", ROOM, "tester",
                                  run.next_id("join")):
                m = alice.mark()
                run.send("desk", groupchat(ROOM, run.next_id("m"), body="over TLS ✓"))
                run.attempt("alice gets desk's message", alice.expect,
                            lambda ln: ln.command == "PRIVMSG" and ln.text == "over TLS ✓",
                            WAIT, "PRIVMSG", m)
            alice.close()
        eve = run.register("eve", {"port": str(run.irc.tls_port), "tls": "true",
                                   "verify": "true", "password": PASSWORD})
        if eve:
            run.status("eve", "eve's login fails: the certificate is refused",
                       lambda s: (s or "").startswith("Could not log in")
                       and "certificate" in (s or "").lower())
        mallory = run.register("mallory", {"port": str(run.irc.port), "password": "wrong"})
        if mallory:
            run.status("mallory", "mallory's login fails: the server refuses the password",
                       lambda s: (s or "").startswith("Could not log in")
                       and ("password" in (s or "").lower() or "denied" in (s or "").lower()))
        zed = harness.Client(run.prosody, "zed", "zed-pw", timeout=5)
        run.clients["zed"] = zed
        if run.attempt("zed connected", zed.connect):
            try:
                register_set(zed, GW, {"server": "irc.example.invalid", "nick": "zed"})
                run.check("a server not on [irc] servers is refused", False, "accepted")
            except IqError as e:
                run.check("a server not on [irc] servers is refused: not-allowed",
                          e.iq["error"]["condition"] == "not-allowed",
                          f"{e.iq['error']['condition']}: {e.iq['error']['text']}")
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT, what="PATH/TO/legate-irc")
