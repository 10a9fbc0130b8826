#!/usr/bin/python3
# End-to-end test of the operations HTTP listener of a Legate gateway: legate-echo runs
# with LEGATE_HTTP_LISTEN=127.0.0.1:<free port> beside a private Prosody. /health is 200
# while the component stream is up, 503 while Prosody is stopped, 200 again after it comes
# back; /metrics is Prometheus text with stanzas in/out, the session and user gauges, the
# message latency histogram, and a reconnect counted after the restart; other paths 404.
# Usage: /usr/bin/python3 test_health.py PATH/TO/legate-echo
import os
import re
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import Checks, Scenario, run_test  # noqa: E402
from xmpp_helpers import body_has, register_set, send_chat  # noqa: E402

GW = "gw.localhost"
TOTAL_TIMEOUT = 90
WAIT = 10
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$")


def get(port, path):
    """(status, content type, body) of GET http://127.0.0.1:port/path."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def metrics(port):
    """{'name{labels}': value} of /metrics; raises unless it is 200 text/plain 0.0.4."""
    status, ctype, body = get(port, "/metrics")
    if status != 200 or "version=0.0.4" not in ctype:
        raise AssertionError(f"/metrics answered {status} {ctype!r}")
    samples = {}
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise AssertionError(f"not a sample line: {line!r}")
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples


def health_is(port, want, timeout):
    def check():
        status, _, body = get(port, "/health")
        return status == want and (want != 200 or body.strip() == "ok")
    return harness.wait_until(check, timeout, 0.2, f"/health {want}")


def stanzas(samples, direction):
    return sum(v for k, v in samples.items() if k.startswith(f"legate_stanzas_{direction}_total"))


def launch_gateway(run, port):
    """legate-echo (form registration) with its operations listener on 127.0.0.1:port."""
    return run.launch_gateway("--echo.registration", "form", log_level="info",
                              env={"LEGATE_HTTP_LISTEN": f"127.0.0.1:{port}"})


def activity(run):
    """A registration (a user, a session logged in) and one message to a contact."""
    run.attempt("registration accepted", register_set, run.client, GW,
                {"username": "tester-echo", "password": "pw"})
    run.expect("welcome message", body_has("Welcome to Legate Echo"), frm=GW, what="welcome")
    run.logged_in("logged in")
    send_chat(run.client, f"alice@{GW}", "hello alice")
    run.expect("echo reply", body_has("Echo ("), frm=f"alice@{GW}", what="echo")


def first_scrape(checks, port):
    samples = checks.attempt("/metrics is Prometheus text", metrics, port)
    if not samples:
        return
    checks.check("stanzas received > 0", stanzas(samples, "received") > 0, samples)
    checks.check("stanzas sent > 0", stanzas(samples, "sent") > 0, samples)
    checks.check("message stanzas received counted",
                 samples.get('legate_stanzas_received_total{kind="message"}', 0) >= 1)
    checks.check("iq stanzas sent counted",
                 samples.get('legate_stanzas_sent_total{kind="iq"}', 0) >= 1)
    for name, want in [("legate_registered_users", 1), ("legate_sessions_logged_in", 1),
                       ("legate_sessions_failing", 0), ("legate_component_up", 1),
                       ("legate_reconnects_total", 0)]:
        checks.check(f"{name} = {want}", samples.get(name) == want, f"got {samples.get(name)}")
    checks.check("latency histogram counted the message",
                 samples.get("legate_message_latency_seconds_count", 0) >= 1
                 and samples.get('legate_message_latency_seconds_bucket{le="+Inf"}', 0) >= 1,
                 {k: v for k, v in samples.items() if "latency" in k})
    checks.check("iq errors counter present", "legate_iq_errors_sent_total" in samples)


def health(run, port):
    launch_gateway(run, port)
    run.attempt("/health 200 once connected", health_is, port, 200, WAIT)
    status, _, _ = get(port, "/nothing-here")
    run.check("other paths 404", status == 404, f"got {status}")
    if run.connect("tester", check="client connected"):
        activity(run)
        run.client.close()   # the user goes before the scrape and the server's restart
    first_scrape(run.checks, port)

    run.attempt("prosody stopped", run.prosody.stop)
    run.attempt("/health 503 while the server is down", health_is, port, 503, WAIT)
    samples = run.attempt("/metrics still served while down", metrics, port) or {}
    run.check("legate_component_up = 0 while down",
              samples.get("legate_component_up") == 0, samples.get("legate_component_up"))
    run.attempt("prosody started again", run.prosody.start)
    run.attempt("/health 200 after the reconnect", health_is, port, 200, 20)
    samples = run.attempt("/metrics after the reconnect", metrics, port) or {}
    run.check("legate_reconnects_total >= 1", samples.get("legate_reconnects_total", 0) >= 1,
              samples.get("legate_reconnects_total"))

    run.stop_gateway()
    run.check("HTTP port closed after exit", not harness.port_open(port))


def main(binary):
    checks = Checks()
    with Scenario(binary, checks, users=["tester"]) as run:
        if run.started:
            health(run, harness.free_port())
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
