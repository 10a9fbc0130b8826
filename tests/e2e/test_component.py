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

GW = "gw.localhost"
USER, PASSWORD = "tester", "tester-pw"
TOTAL_TIMEOUT = 60        # hard cap on the run (cleanup may add up to ~20 s)
RECONNECT_TIMEOUT = 20    # how long the gateway may take to come back

EXPECTED_FEATURES = [
    "http://jabber.org/protocol/disco#info",
    "http://jabber.org/protocol/disco#items",
    "urn:xmpp:ping",
    "jabber:iq:version",
]


def check_disco(checks, info, suffix=""):
    ids = info["identities"]
    checks.check(f"disco#info identity gateway/echo{suffix}",
                 any(c == "gateway" and t == "echo" for c, t, _ in ids), f"got {ids}")
    checks.check(f"disco#info identity name 'Legate Echo'{suffix}",
                 any(c == "gateway" and t == "echo" and n == "Legate Echo"
                     for c, t, n in ids), f"got {ids}")
    for feature in EXPECTED_FEATURES:
        checks.check(f"disco#info feature {feature}{suffix}",
                     feature in info["features"], f"got {sorted(info['features'])}")


def wait_for_gateway(client, gateway, timeout):
    """Retry a ping to the gateway until it answers. While the component is not
    connected Prosody 0.12 bounces IQs at once with a type='wait'
    <remote-server-timeout/> error (plus <not-connected
    xmlns='xmpp:prosody.im/protocol/component'/>), which ping() raises."""
    def answered():
        if not gateway.running:
            raise harness.GiveUp(f"gateway exited with {gateway.proc.returncode}")
        return client.ping(GW, timeout=2) is not None
    return harness.wait_until(answered, timeout, 0.25, f"ping answered by {GW}")


def first_contact(checks, client, gateway):
    """disco#info, ping and version against a freshly started gateway."""
    if not checks.attempt("gateway reachable (ping within 10 s)",
                          wait_for_gateway, client, gateway, 10):
        return False
    info = checks.attempt("disco#info answered", client.disco_info, GW)
    if info:
        check_disco(checks, info)
    rtt = checks.attempt("ping round trip", client.ping, GW)
    if rtt is not None:
        print(f"# ping rtt {rtt * 1000:.1f} ms")
    ver = checks.attempt("version answered", client.version, GW)
    if ver:
        checks.check("version name legate-echo", ver["name"] == "legate-echo",
                     f"got {ver}")
    return True


def log_says(gateway, text, timeout=10):
    def found():
        with open(gateway.log_path, errors="replace") as f:
            return text in f.read()
    return harness.wait_until(found, timeout, 0.1, f"'{text}' in {gateway.log_path}")


def refused_streams(checks, prosody, binary):
    """Server stream errors are logged in words an admin can act on, and the gateway
    keeps retrying instead of dying."""
    wrong = harness.Gateway(binary, prosody, name="wrong-secret", log_level="info")
    wrong.argv[wrong.argv.index("--component.secret") + 1] = "not-the-secret"
    wrong.start()
    checks.attempt("wrong secret logged as not-authorized with a hint", log_says, wrong,
                   "not-authorized (check [component] secret)")
    # A second gateway with the right secret while the first is connected: conflict.
    twin = harness.Gateway(binary, prosody, name="twin", log_level="info").start()
    checks.attempt("second connection logged as conflict", log_says, twin, "conflict")
    for g in (wrong, twin):
        checks.check(f"{g.log_path.rsplit('/', 1)[-1]}: still retrying, exits 0 on SIGTERM",
                     g.running and g.stop() == 0)


def after_restart(checks, prosody, client, gateway):
    """The server goes away and comes back: the gateway must reconnect."""
    t0 = time.monotonic()
    if not checks.attempt("prosody restarted on the same ports", prosody.restart):
        return
    checks.check("gateway still running after server restart", gateway.running,
                 f"exit code {gateway.proc.poll()}")
    if not checks.attempt("client reconnected", client.connect):
        return
    if not checks.attempt(f"gateway answers ping again (within {RECONNECT_TIMEOUT} s)",
                          wait_for_gateway, client, gateway, RECONNECT_TIMEOUT):
        return
    print(f"# gateway back {time.monotonic() - t0:.1f} s after restart began")
    info = checks.attempt("disco#info answered after reconnect", client.disco_info, GW)
    if info:
        check_disco(checks, info, " after reconnect")


def main(binary):
    checks = harness.Checks()
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"not ok - gateway binary {binary} is not an executable file")
        return 1
    with harness.Prosody(component=GW) as prosody:
        prosody.register(USER, PASSWORD)
        if not checks.attempt("prosody started", prosody.start):
            prosody.dump_logs()
            return 1
        gateway = harness.Gateway(binary, prosody).start()

        with harness.Client(prosody, USER, PASSWORD, timeout=5) as client:
            if checks.attempt("client connected", client.connect):
                if first_contact(checks, client, gateway):
                    refused_streams(checks, prosody, binary)
                    after_restart(checks, prosody, client, gateway)

        code = gateway.stop()
        checks.check("gateway exits 0 on SIGTERM", code == 0 and not gateway.died_early,
                     f"it had already exited with {code}" if gateway.died_early
                     else "had to be killed" if code is None else f"exit code {code}")
        prosody.stop()
        checks.summary()
        if not checks.ok:
            prosody.dump_logs()
    return 0 if checks.ok else 1


if __name__ == "__main__":
    harness.run_test(main, TOTAL_TIMEOUT)
