#!/usr/bin/python3
# Narrated demo of a Legate gateway for humans: starts a private Prosody, runs
# the gateway as its XEP-0114 component, logs in as a user and shows the real
# replies (disco#info, ping RTT, version), registers (two-factor code in chat),
# shows the echo contacts joining the roster and a short chat with alice as a
# transcript, then restarts Prosody to show the gateway reconnecting, and cleans
# everything up. Not a test: see test_component.py, test_messaging.py.
# Usage: /usr/bin/python3 demo.py PATH/TO/legate-echo
# LEGATE_KEEP_TMP=1 keeps the temp dir (Prosody config/log, gateway stderr).
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from xmpp_helpers import (CHATSTATES_NS, CORRECT_NS, MARKERS_NS,  # noqa: E402
                          RECEIPTS_NS, REPLY_NS, Inbox, body_has, body_starts, child,
                          nick_of, reaction, reactions_of, receipt_request,
                          register_get, register_set, roster_items, send_chat, send_message)

GW = "gw.localhost"
USER, PASSWORD = "tester", "tester-pw"
CONTACTS = ("alice", "bob", "carol")


def say(text=""):
    print(text, flush=True)


def step(text):
    say(f"\n== {text}")


def show_disco(client, jid):
    info = client.disco_info(jid)
    say(f"   {jid} says it is:")
    for category, type_, name in info["identities"]:
        say(f"     identity  {category}/{type_}  \"{name}\"")
    for feature in sorted(info["features"]):
        say(f"     feature   {feature}")


def show_ping(client, jid, count=3):
    rtts = [client.ping(jid) * 1000 for _ in range(count)]
    say(f"   ping {jid}: " + ", ".join(f"{r:.1f} ms" for r in rtts))


def wait_for_gateway(client, gateway, timeout):
    """Seconds until the gateway answered a ping."""
    t0 = time.monotonic()
    harness.wait_for_gateway(client, gateway, timeout)
    return time.monotonic() - t0


def show_contacts_arriving(client, inbox):
    """Each echo contact asks to join the roster (XEP-0356 would push them instead);
    slixmpp approves and asks back, as a user clicking "accept" would."""
    for user in CONTACTS:
        jid = f"{user}@{GW}"
        request = inbox.expect("presence", lambda p, jid=jid: p["type"] == "subscribe"
                               and p["from"].bare == jid, 10, f"a subscription request from {jid}")
        say(f"   {jid} asks to join the roster as \"{nick_of(request)}\" (accepted)")

    def complete():
        items = roster_items(client)
        return all(items.get(f"{u}@{GW}", {}).get("subscription") == "both" for u in CONTACTS)
    harness.wait_until(complete, 10, 0.2, "alice, bob and carol in the roster")
    for user in CONTACTS:
        p = inbox.presence("available", f"{user}@{GW}", 10)
        item = roster_items(client)[f"{user}@{GW}"]
        say(f"     roster: {user + '@' + GW:<20} subscription {item['subscription']},"
            f" online: {p['status']}")


def describe_event(m, me):
    """One transcript line for a stanza from alice (None for nothing worth showing)."""
    if m["type"] == "error":
        return f"(error: {m['error']['condition']} {m['error']['text']})"
    if child(m, CORRECT_NS, "replace") is not None:
        return f"(alice corrected: {m['body']})"
    if m["body"]:
        quoted = child(m, REPLY_NS, "reply")
        line = f"alice: {m['body']}"
        if quoted is not None and quoted.get("id") in me:
            text = me[quoted.get("id")]
            line += f"   (↩ your \"{text if len(text) <= 20 else text[:20] + '…'}\")"
        return line
    if reactions_of(m) is not None:
        emojis = "".join(reactions_of(m)[1]) or "nothing (reaction removed)"
        return f"(alice reacted {emojis})"
    if child(m, CHATSTATES_NS, "composing") is not None:
        return "(alice is typing…)"
    if child(m, MARKERS_NS, "displayed") is not None:
        return "(alice read it)"
    if child(m, RECEIPTS_NS, "received") is not None:
        return "(✓ delivered)"
    return None


def transcript(inbox, me, done, timeout=10):
    """Print alice's stanzas as they arrive, until done(stanza) is true; returns them."""
    alice, seen = f"alice@{GW}", []
    while True:
        m = inbox.message(lambda m: True, timeout, "alice's next message", alice)
        seen.append(m)
        line = describe_event(m, me)
        if line:
            say(f"   {line}")
        if done(m) or m["type"] == "error":
            return seen


def chat_with_alice(client, inbox):
    alice, me = f"alice@{GW}", {}

    def write(mid, body, extra=()):
        me[mid] = body
        send_message(client, alice, body, mid, extra)
        say(f"   me: {body}")
    write("demo-1", "Hi alice!", [receipt_request()])
    got = transcript(inbox, me, lambda m: reactions_of(m) is not None)
    write("demo-2", "Get this wrong, then correct me")
    transcript(inbox, me, lambda m: child(m, CORRECT_NS, "replace") is not None)
    answer = next((m for m in got if (m["body"] or "").startswith("Echo (")), None)
    if answer is not None:
        say("   me: 👍  (a reaction to alice's first answer)")
        send_message(client, alice, None, "demo-3", reaction(answer["id"], "👍"))
        transcript(inbox, me, lambda m: bool(m["body"]))


def main(binary):
    with harness.Prosody(component=GW) as prosody:
        step("Starting a private Prosody")
        say(f"   temp dir        {prosody.tmp}")
        say(f"   client port     127.0.0.1:{prosody.c2s_port}  (domain {prosody.domain})")
        say(f"   component port  127.0.0.1:{prosody.component_port}  (XEP-0114, {GW})")
        prosody.register(USER, PASSWORD)
        say(f"   registered user {USER}@{prosody.domain}")
        prosody.start()
        say("   Prosody is up")

        step("Starting the gateway")
        gateway = harness.Gateway(binary, prosody).start()
        say("   $ " + " ".join(gateway.argv))
        say(f"   (its stderr goes to {gateway.log_path})")

        with harness.Client(prosody, USER, PASSWORD, timeout=5) as client:
            step(f"Logging in as {client.jid}")
            client.connect()
            say("   session started")
            took = wait_for_gateway(client, gateway, 15)
            say(f"   the gateway answered {took:.1f} s after we started waiting")

            step("Does the server list the gateway? (disco#items on the server)")
            for jid, node, name in client.disco_items(prosody.domain):
                say(f"     item {jid}" + (f" node={node}" if node else "")
                    + (f" \"{name}\"" if name else ""))

            step("What is the gateway? (XEP-0030 disco#info)")
            show_disco(client, GW)

            step("Is it alive? (XEP-0199 ping)")
            show_ping(client, GW)

            step("Which software is it? (XEP-0092 version)")
            v = client.version(GW)
            say(f"   name {v['name']!r}, version {v['version']!r}"
                + (f", os {v['os']!r}" if v["os"] else ""))

            step("Registering with the gateway (XEP-0077, then a two-factor code in chat)")
            inbox = Inbox(client).attach()
            form = register_get(client, GW)
            say(f"   instructions: {form['instructions']}")
            for var, field in (form["fields"] or {}).items():
                say(f"     field {var} ({field['type']}"
                    + (", required" if field["required"] else "") + ")")
            register_set(client, GW, {"username": "demo", "password": "secret"})
            say("   me: username=demo password=secret  (the gateway accepts the form)")
            prompt = inbox.message(body_has("reply with the code"), 10, "the code prompt")
            say(f"   gateway: {prompt['body']}")
            send_chat(client, GW, "123456")
            say("   me: 123456")
            welcome = inbox.message(body_starts("Welcome"), 10, "the welcome")
            say(f"   gateway: {welcome['body']}")
            say("   registered: " + str(register_get(client, GW)["registered"]))

            step("The echo contacts join the roster and come online")
            status = inbox.expect("presence", lambda p: p["from"].bare == GW
                                  and p["status"].startswith("Connected"), 10, "login")
            say(f"   gateway status: {status['status']}")
            show_contacts_arriving(client, inbox)

            step("A short chat with alice (she echoes, reads, reacts and corrects herself)")
            chat_with_alice(client, inbox)

            step("Restarting Prosody: the gateway should reconnect by itself")
            t0 = time.monotonic()
            prosody.restart()
            say(f"   Prosody is back after {time.monotonic() - t0:.1f} s (same ports)")
            client.connect()
            say("   logged in again")
            wait_for_gateway(client, gateway, 20)
            say(f"   the gateway answers again {time.monotonic() - t0:.1f} s after the restart began")
            show_ping(client, GW, 1)

        step("Cleaning up")
        code = gateway.stop()
        say("   gateway stopped with SIGTERM, exit code "
            + ("? (had to be killed)" if code is None else str(code)))
        prosody.stop()
        say("   Prosody stopped"
            + ("" if os.environ.get("LEGATE_KEEP_TMP") else "; temp dir removed"))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} PATH/TO/legate-echo")
    harness.setup_logging()
    harness.install_signal_handlers()
    harness.set_deadline(120)
    try:
        sys.exit(main(sys.argv[1]))
    except (Exception, KeyboardInterrupt) as e:
        say(f"\ndemo failed: {type(e).__name__}: {e}")
        sys.exit(1)
