#!/usr/bin/python3
# End-to-end test of XEP-0356 carbons through legate-echo against a private Prosody 0.12 with
# mod_privilege, mod_carbons (XEP-0280) and mod_mam (XEP-0313, archiving everything), run
# twice. Granted (roster both, message outgoing): the user is connected from two resources
# with carbons enabled and registers (two-factor in chat); the gateway logs the grant;
# `phone: hello` to alice makes the echo network report "sent 'hello' from the phone", which
# reaches both resources as a <sent/> carbon of a message from the user's bare JID to alice,
# is in the user's archive (a MAM query with alice, once), and never comes back to the
# bridge's on_text (no on_text log line, no answer from alice); `hi` is echoed, then
# `phone-react: 👍` reaches both resources as a <sent/> carbon of a 👍 reaction to alice's
# echo with the <store/> hint, and is archived too; `phone-picture` is uploaded (Prosody's
# mod_http_file_share) and reaches both resources as <sent/> carbons of its link (body and
# OOB, serving the PNG) and of its caption. Fallback (roster only, the gateway run
# with --gateway.carbons_fallback prefix): `phone: hello` comes as a message from alice
# "You (elsewhere): hello", no carbon, nothing injected (no refusal in Prosody's log), and the
# gateway warns once that the server does not grant the message permission, still once after
# `phone: again`. Usage: /usr/bin/python3 test_carbons.py PATH/TO/legate-echo
# One "ok - ..." / "not ok - ..." line per check; exit 0 only if all pass.
# LEGATE_KEEP_TMP=1 keeps the temp dirs, LEGATE_E2E_DEBUG=1 traces slixmpp.
import asyncio
import os
import re
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import Checks, Scenario, run_test  # noqa: E402
from xmpp_helpers import (HINTS_NS, REACTIONS_NS, XDATA_NS, Inbox, child,  # noqa: E402
                          element, send_chat)

GW = "gw.localhost"
CODE = "123456"
TOTAL_TIMEOUT = 100       # hard cap on both runs (about 30 s when all goes well)
WAIT = 10                 # for each expected stanza or archive entry
QUIET = 1.5               # how long nothing more may arrive after the last expected stanza
ALICE = f"alice@{GW}"
RESOURCES = ("desk", "laptop")    # the user's two clients, both with carbons enabled
CARBONS_NS = "urn:xmpp:carbons:2"
FORWARD_NS = "urn:xmpp:forward:0"
MAM_NS = "urn:xmpp:mam:2"
RSM_NS = "http://jabber.org/protocol/rsm"
CLIENT_NS = "jabber:client"
MAM_MAX = 50              # the newest entries a query asks for (Prosody's maximum)
GRANT_LINE = re.compile(r"XEP-0356: localhost grants the gateway (.*)$", re.M)
NOT_GRANTED = "does not grant the gateway message permission"
ON_TEXT_HELLO = re.compile(r"echo: \S+ -> alice: \S+ 'hello'")
PHONE_HELLO = re.compile(r"echo: tester@localhost sent 'hello' to alice from their phone \(\S+\)")
REFUSED = "try to send message without permission"    # mod_privilege's warning
UNUSABLE = "the message permission of localhost is unusable (ejabberd 23.01"  # found out
ECHOED = "dropped the server's copy of carbon"
UPLOAD = "upload.localhost"                            # mod_http_file_share, granted run
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
OOB_NS = "jabber:x:oob"


def enable_carbons(client):
    iq = client.xmpp.make_iq_set(sub=element(CARBONS_NS, "enable"))
    return client.run(iq.send(timeout=client.timeout), client.timeout + 1)


def sent_copy(message):
    """The forwarded <message/> of a XEP-0280 <sent/> carbon (an Element), or None."""
    return message.xml.find(f"{{{CARBONS_NS}}}sent/{{{FORWARD_NS}}}forwarded/"
                            f"{{{CLIENT_NS}}}message")


def body_of(inner):
    return inner.findtext(f"{{{CLIENT_NS}}}body")


def reaction_of(inner):
    """(target id, [emoji, ...]) of a forwarded XEP-0444 message, or None."""
    r = inner.find(f"{{{REACTIONS_NS}}}reactions")
    if r is None:
        return None
    return r.get("id"), [e.text or "" for e in r.findall(f"{{{REACTIONS_NS}}}reaction")]


def bare(jid):
    return (jid or "").partition("/")[0]


def shown(inner):
    """One archived or carbon-copied message, for failure details."""
    what = body_of(inner)
    what = repr(what) if what is not None else f"reactions {reaction_of(inner)}"
    return f"{inner.get('from')} -> {inner.get('to')}: {what}"


def mam_query(client, box, queryid, with_jid):
    """The newest MAM_MAX messages of the user's archive exchanged with `with_jid`, as the
    forwarded <message/> Elements of the results (which arrive before the iq result)."""
    def field(var, value, **attrs):
        return element(XDATA_NS, "field", var=var, **attrs,
                       children=[element(XDATA_NS, "value", value)])
    form = element(XDATA_NS, "x", type="submit",
                   children=[field("FORM_TYPE", MAM_NS, type="hidden"), field("with", with_jid)])
    rsm = element(RSM_NS, "set", children=[element(RSM_NS, "max", str(MAM_MAX)),
                                          element(RSM_NS, "before")])
    iq = client.xmpp.make_iq_set(sub=element(MAM_NS, "query", queryid=queryid,
                                             children=[form, rsm]))
    client.run(iq.send(timeout=client.timeout), client.timeout + 1)

    def ours(m):
        r = child(m, MAM_NS, "result")
        return r is not None and r.get("queryid") == queryid
    out = []
    while (m := box.find("message", ours)) is not None:
        inner = m.xml.find(f"{{{MAM_NS}}}result/{{{FORWARD_NS}}}forwarded/{{{CLIENT_NS}}}message")
        if inner is not None:
            out.append(inner)
    return out


class Run(Scenario):
    """One of the runs: tester with one client per resource (inboxes by resource), stanzas
    from alice unless said otherwise."""

    def __init__(self, binary, checks, label, granted):
        super().__init__(binary, checks, label, users=("tester",), wait=WAIT, sender=ALICE,
                         end_check="gateway exits 0 on SIGTERM at the end",
                         file_share=UPLOAD if granted else None,
                         **harness.carbons_config(GW, message=granted))
        self.queries = 0

    @property
    def user(self):
        return self.jid("tester")

    def connect_resource(self, resource):
        """tester/<resource>, connected, its Inbox in .inbox[resource], carbons enabled."""
        client = harness.Client(self.prosody, "tester", "tester-pw", resource=resource,
                                timeout=5)
        self.clients[resource] = client
        if not self.attempt(f"tester/{resource} connected", client.connect):
            return None
        self.inbox[resource] = Inbox(client).attach()
        if self.client is None:
            self.client, self.box = client, self.inbox[resource]
        if not self.attempt(f"tester/{resource} enabled carbons", enable_carbons, client):
            return None
        return client

    def ready(self, resources, *gateway_args):
        """The clients connected, the gateway up, tester registered with it and logged in."""
        return bool(self.started and all(self.connect_resource(r) for r in resources)
                    and self.start_gateway("--echo.registration", "two-factor",
                                           "--echo.code", CODE, *gateway_args)
                    and self.register_two_factor(CODE) and self.logged_in())

    def quiet(self, seconds=QUIET):
        """Let stanzas arrive for a while (the clients' loop runs meanwhile)."""
        self.client.run(asyncio.sleep(seconds), seconds + 1)

    def archived(self, name, pred):
        """The check that the user's archive (with alice) holds a message matching pred
        within WAIT; returns every match, or None."""
        def found():
            self.alive()
            self.queries += 1
            got = mam_query(self.client, self.box, f"{self.label}-q{self.queries}", ALICE)
            matches = [m for m in got if pred(m)]
            if not matches:
                raise AssertionError(f"{len(got)} archived: "
                                     + "; ".join(shown(m) for m in got[-8:]))
            return matches
        return self.attempt(name, harness.wait_until, found, WAIT, 0.5, name)

    def grant_line(self, want, unwanted=None):
        lines = GRANT_LINE.findall(self.gateway_log())
        self.check(f"gateway logs the grant '{want}'",
                   len(lines) == 1 and want in lines[0]
                   and (unwanted is None or unwanted not in lines[0]),
                   f"grant lines {lines}")


def from_user_to_alice(run, inner):
    return bare(inner.get("from")) == run.user and bare(inner.get("to")) == ALICE


def phone_message(run):
    """`phone: hello`: a <sent/> carbon at both resources, archived once, never echoed."""
    send_chat(run.client, ALICE, "phone: hello")
    for res in RESOURCES:
        m = run.expect(f"{res} gets a <sent/> carbon of 'hello'",
                       lambda m: (c := sent_copy(m)) is not None and body_of(c) == "hello",
                       frm=run.user, user=res)
        if m is None:
            continue
        inner = sent_copy(m)
        got = (inner.get("from"), inner.get("to"), inner.get("type"))
        run.check(f"{res}: …of a chat message from {run.user} (bare) to {ALICE}",
                  got == (run.user, ALICE, "chat"), f"got from, to, type {got}")
        run.check(f"{res}: …with the gateway's carbon id",
                  (inner.get("id") or "").startswith("legate-carbon-"), f"id {inner.get('id')!r}")
    run.check("gateway log: the echo network reports 'hello' sent from the phone",
              PHONE_HELLO.search(run.gateway_log()) is not None, "no such line")
    hello = run.archived("'hello' from the user to alice is in the user's archive (MAM)",
                         lambda m: from_user_to_alice(run, m) and body_of(m) == "hello")
    if hello is not None:
        run.check("…exactly once", len(hello) == 1, f"{len(hello)} copies")
    run.quiet()
    answers = [f"{res}: {m['body']!r}" for res in RESOURCES for kind, m in run.inbox[res].items
               if kind == "message" and m["from"].bare == ALICE and "hello" in (m["body"] or "")]
    run.check(f"alice never answers 'hello' ({QUIET} s)", not answers, f"got {answers}")
    leaked = ON_TEXT_HELLO.findall(run.gateway_log())
    run.check("the server's copy never reached the bridge's on_text (no log line)", not leaked,
              f"log lines {leaked}")
    carbon_id = inner.get("id") if m is not None else None
    run.check("the server routed its copy back to the gateway, which dropped it (debug line)",
              carbon_id is not None and
              f"dropped the server's copy of carbon {carbon_id}" in run.gateway_log(),
              f"no drop line for {carbon_id!r}")


def phone_reaction(run):
    """`hi` is echoed; `phone-react: 👍` reacts to the echo from the phone: a <sent/> carbon
    at both resources with the <store/> hint, archived."""
    send_chat(run.client, ALICE, "hi")
    echo = run.expect("alice echoes 'hi'",
                      lambda m: re.fullmatch(r"Echo \(\S+\): hi", m["body"] or "") is not None)
    if echo is None or not run.check("the echo has an id", bool(echo["id"])):
        return
    send_chat(run.client, ALICE, "phone-react: 👍")
    want = (echo["id"], ["👍"])
    for res in RESOURCES:
        m = run.expect(f"{res} gets a <sent/> carbon of the phone's 👍 on alice's echo",
                       lambda m: (c := sent_copy(m)) is not None and reaction_of(c) is not None,
                       frm=run.user, user=res)
        if m is None:
            continue
        inner = sent_copy(m)
        run.check(f"{res}: …exactly 👍 on the echo's id, from the user to alice",
                  reaction_of(inner) == want and from_user_to_alice(run, inner),
                  f"got {shown(inner)}, want {want}")
        run.check(f"{res}: …with the <store/> hint",
                  inner.find(f"{{{HINTS_NS}}}store") is not None,
                  f"children {[c.tag for c in inner]}")
    run.archived("the phone's 👍 on the echo is in the user's archive (MAM)",
                 lambda m: from_user_to_alice(run, m) and reaction_of(m) == want)


def phone_picture(run):
    """`phone-picture`: the phone's picture is uploaded and reaches both resources as a
    <sent/> carbon of a link (body and OOB) to a PNG, then of its caption."""
    send_chat(run.client, ALICE, "phone-picture")
    for res in RESOURCES:
        m = run.expect(f"{res} gets a <sent/> carbon of the phone's picture link",
                       lambda m: (c := sent_copy(m)) is not None
                       and (body_of(c) or "").startswith("http://127.0.0.1:"),
                       frm=run.user, user=res)
        if m is None:
            continue
        inner = sent_copy(m)
        oob = inner.find(f"{{{OOB_NS}}}x/{{{OOB_NS}}}url")
        url = body_of(inner)
        run.check(f"{res}: …from the user to alice, the link also as OOB",
                  from_user_to_alice(run, inner) and oob is not None and oob.text == url,
                  f"got {shown(inner)}")
        if res == RESOURCES[0]:
            png = run.attempt("the link serves the PNG", fetch, url)
            run.check("…a PNG image", png is not None and png.startswith(PNG_MAGIC),
                      f"{(png or b'')[:8]!r}")
        run.expect(f"{res} gets a <sent/> carbon of the caption 'from my phone'",
                   lambda m: (c := sent_copy(m)) is not None and body_of(c) == "from my phone",
                   frm=run.user, user=res)


def fetch(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def granted(binary, checks):
    with Run(binary, checks, "granted", granted=True) as run:
        if not run.ready(RESOURCES):
            return
        run.grant_line("roster both, message outgoing")
        phone_message(run)
        phone_reaction(run)
        phone_picture(run)
        run.check("gateway log: no missing-permission warning", NOT_GRANTED
                  not in run.gateway_log(), "there is one")


def fallback(binary, checks, label="fallback", granted=False, warning=NOT_GRANTED):
    """No message permission (or, on ejabberd 23.01, one that cannot make carbons): the
    prefix fallback, and one warning."""
    with Run(binary, checks, label, granted=granted) as run:
        if not run.ready(RESOURCES[:1], "--gateway.carbons_fallback", "prefix"):
            return
        if granted:
            run.grant_line("roster both, message outgoing")
        else:
            run.grant_line("roster both", unwanted="message outgoing")
        for n, body in enumerate(("hello", "again"), 1):
            send_chat(run.client, ALICE, f"phone: {body}")
            run.expect(f"'phone: {body}' comes from alice as 'You (elsewhere): {body}'",
                       lambda m, body=body: m["body"] == f"You (elsewhere): {body}")
            if n == 1:
                run.quiet()
                copies = [shown(c) for kind, m in run.box.items
                          if kind == "message" and (c := sent_copy(m)) is not None]
                run.check(f"no <sent/> carbon ({QUIET} s)", not copies, f"got {copies}")
                nothing_injected(run)
            count = run.gateway_log().count(warning)
            run.check(f"gateway warns once '…{warning}…' (after {n} phone message(s))",
                      count == 1, f"{count} times")


def nothing_injected(run):
    if harness.SERVER == "prosody":
        with open(run.prosody.log_path, encoding="utf-8", errors="replace") as f:
            refused = REFUSED in f.read()
        run.check("nothing injected (mod_privilege refused nothing)", not refused,
                  f"prosody.log: '{REFUSED}'")
    else:  # ejabberd routes what it is given back to the gateway: none may come
        run.check("nothing injected (no carbon came back to the gateway)",
                  ECHOED not in run.gateway_log(), f"gateway log: '{ECHOED}'")


def main(binary):
    checks = Checks()
    if harness.PRIVILEGED_CARBONS:
        granted(binary, checks)
    else:  # ejabberd 23.01: the permission is granted, and seen to be unusable
        fallback(binary, checks, "granted", granted=True, warning=UNUSABLE)
    fallback(binary, checks)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
