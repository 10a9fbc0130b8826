#!/usr/bin/python3
# End-to-end test of a Legate gateway as a XEP-0114 component of a private
# Prosody: disco#info, ping, version; server stream errors (wrong secret, a second
# connection) logged clearly; survives a Prosody restart (reconnects);
# exits 0 on SIGTERM. Usage: /usr/bin/python3 test_component.py PATH/TO/legate-echo
# Prints one "ok - ..." / "not ok - ..." line per check; exit status 0 only if
# all pass. LEGATE_KEEP_TMP=1 keeps the temp dir, LEGATE_E2E_DEBUG=1 traces slixmpp.
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import Checks, Scenario, run_test  # noqa: E402

GW = "gw.localhost"
TOTAL_TIMEOUT = 60        # hard cap on the run (cleanup may add up to ~20 s)
RECONNECT_TIMEOUT = 20    # how long the gateway may take to come back

EXPECTED_FEATURES = [
    "http://jabber.org/protocol/disco#info",
    "http://jabber.org/protocol/disco#items",
    "urn:xmpp:ping",
    "jabber:iq:version",
]


def check_disco(run, info, suffix=""):
    ids = info["identities"]
    run.check(f"disco#info identity gateway/echo{suffix}",
              any(c == "gateway" and t == "echo" for c, t, _ in ids), f"got {ids}")
    run.check(f"disco#info identity name 'Legate Echo'{suffix}",
              any(c == "gateway" and t == "echo" and n == "Legate Echo"
                  for c, t, n in ids), f"got {ids}")
    run.check(f"disco#info identity conference/text (the echo rooms' service){suffix}",
              any(c == "conference" and t == "text" for c, t, _ in ids), f"got {ids}")
    for feature in EXPECTED_FEATURES + ["http://jabber.org/protocol/muc"]:
        run.check(f"disco#info feature {feature}{suffix}",
                  feature in info["features"], f"got {sorted(info['features'])}")


def first_contact(run):
    """disco#info, ping and version against a freshly started gateway."""
    if not run.attempt("gateway reachable (ping within 10 s)", run.wait_for_gateway, 10):
        return False
    client = run.client
    info = run.attempt("disco#info answered", client.disco_info, GW)
    if info:
        check_disco(run, info)
    rtt = run.attempt("ping round trip", client.ping, GW)
    if rtt is not None:
        print(f"# ping rtt {rtt * 1000:.1f} ms")
    ver = run.attempt("version answered", client.version, GW)
    if ver:
        run.check("version name legate-echo", ver["name"] == "legate-echo", f"got {ver}")
    return True


def log_says(gateway, text, timeout=10):
    def found():
        with open(gateway.log_path, errors="replace") as f:
            return text in f.read()
    return harness.wait_until(found, timeout, 0.1, f"'{text}' in {gateway.log_path}")


def refused_streams(run):
    """Server stream errors are logged in words an admin can act on, and the gateway
    keeps retrying instead of dying."""
    wrong = harness.Gateway(run.binary, run.prosody, name="wrong-secret", log_level="info")
    wrong.argv[wrong.argv.index("--component.secret") + 1] = "not-the-secret"
    wrong.start()
    run.attempt("wrong secret logged as not-authorized with a hint", log_says, wrong,
                "not-authorized (check [component] secret)")
    # A second gateway with the right secret while the first is connected: Prosody refuses it
    # (conflict); ejabberd accepts it and spreads stanzas among the two (docs/admin.md: never
    # run two gateways on one component).
    twin = harness.Gateway(run.binary, run.prosody, name="twin", log_level="info").start()
    if harness.SERVER == "ejabberd":
        run.attempt("second connection accepted too (ejabberd)", log_says, twin,
                    "component gw.localhost connected")
    else:
        run.attempt("second connection logged as conflict", log_says, twin, "conflict")
    for g in (wrong, twin):
        run.check(f"{g.log_path.rsplit('/', 1)[-1]}: still retrying, exits 0 on SIGTERM",
                  g.running and g.stop() == 0)


def after_restart(run):
    """The server goes away and comes back: the gateway must reconnect."""
    t0 = time.monotonic()
    if not run.attempt(f"{run.prosody.name} restarted on the same ports", run.prosody.restart):
        return
    run.check("gateway still running after server restart", run.gateway.running,
              f"exit code {run.gateway.proc.poll()}")
    if not run.attempt("client reconnected", run.client.connect):
        return
    if not run.attempt(f"gateway answers ping again (within {RECONNECT_TIMEOUT} s)",
                       run.wait_for_gateway, RECONNECT_TIMEOUT):
        return
    print(f"# gateway back {time.monotonic() - t0:.1f} s after restart began")
    info = run.attempt("disco#info answered after reconnect", run.client.disco_info, GW)
    if info:
        check_disco(run, info, " after reconnect")


def main(binary):
    checks = Checks()
    with Scenario(binary, checks, users=["tester"]) as run:
        if run.started:
            run.launch_gateway()
            if run.connect("tester", check="client connected") and first_contact(run):
                refused_streams(run)
                after_restart(run)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
