#!/usr/bin/python3
# Narrated demo of a Legate gateway for humans: starts a private Prosody, runs
# the gateway as its XEP-0114 component, logs in as a user and shows the real
# replies (disco#info, ping RTT, version), then restarts Prosody to show the
# gateway reconnecting, and cleans everything up. Not a test: see
# test_component.py. Usage: /usr/bin/python3 demo.py PATH/TO/legate-echo
# LEGATE_KEEP_TMP=1 keeps the temp dir (Prosody config/log, gateway stderr).
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from xmpp_helpers import (Inbox, body_has, body_starts, register_get,  # noqa: E402
                          register_set, send_chat)

GW = "gw.localhost"
USER, PASSWORD = "tester", "tester-pw"


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
    def answered():
        if not gateway.running:
            raise harness.GiveUp(f"gateway exited with {gateway.proc.returncode}")
        return client.ping(GW, timeout=2) is not None
    t0 = time.monotonic()
    harness.wait_until(answered, timeout, 0.25, f"{GW} answering")
    return time.monotonic() - t0


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
