#!/usr/bin/python3
# End-to-end test of XEP-0077 registration with legate-echo against a private Prosody
# 0.12 (with mod_http_file_share on loopback): the form type (fields, wrong password,
# success, subscribe + welcome, admin notice); persistence across a SIGTERM restart;
# a kill -9 in the middle of a two-factor registration leaves nothing stored and an
# intact database; the two-factor code in chat (wrong, then right); the QR type (PNG
# uploaded, downloaded and decoded with zbarimg, matches the text; "scanned" after 3 s);
# unregistration with <remove/>; registration-required for strangers; exit 0 on SIGTERM.
# Usage: /usr/bin/python3 test_registration.py PATH/TO/legate-echo
# Prints one "ok - ..." / "not ok - ..." line per check; exit status 0 only if all
# pass. LEGATE_KEEP_TMP=1 keeps the temp dir, LEGATE_E2E_DEBUG=1 traces slixmpp.
import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import Checks, Scenario, run_test  # noqa: E402
from xmpp_helpers import (body_has, body_starts, error_condition, oob_url,  # noqa: E402
                          register_get, register_remove, register_set, send_chat)

GW = "gw.localhost"
UPLOAD = "upload.localhost"
CODE = "123456"
QR_DELAY = 3
TOTAL_TIMEOUT = 90        # hard cap on the run (cleanup may add up to ~20 s)
WAIT = 10                 # for each expected stanza
USERS = ("admin", "alice", "bob", "carol", "stranger")
WELCOME = "Welcome to Legate Echo!"


class Run(Scenario):
    """The scenario with several gateways in turn, all on one database."""

    def __init__(self, binary, checks):
        super().__init__(binary, checks, users=USERS, file_share=UPLOAD,
                         end_check="gateway exits 0 on SIGTERM (end of the run)",
                         prosody_check=True)

    def start_gateway(self, name, registration, *extra):
        return super().start_gateway(
            "--storage.path", self.db, "--echo.registration", registration, "--echo.code",
            CODE, "--gateway.admins", self.jid("admin"), *extra, name=name,
            check=f"{name}: gateway ({registration}) answers ping", timeout=15)

    def sigterm_gateway(self, what):
        return self.stop_gateway(f"gateway exits 0 on SIGTERM ({what})")

    def registered(self, user):
        """(registered?, username value) from a fresh XEP-0077 get."""
        info = register_get(self.clients[user], GW)
        return info["registered"], info["values"].get("username")

    def check_registered(self, label, user, expected):
        got = self.checks.attempt(f"{label}: get answered", self.registered, user)
        if got is not None:
            word = "shows" if expected else "has no"
            self.checks.check(f"{label}: get {word} <registered/>", got[0] == expected,
                              f"registered={got[0]}")
        return got

    def finished(self, label, user, admin_notice=True):
        """The end of a registration: subscribe presence, welcome, admin notice."""
        box = self.inbox[user]
        self.attempt(f"{label}: subscribe presence from the gateway", box.presence,
                     "subscribe", GW, WAIT)
        self.attempt(f"{label}: welcome message", box.message, body_starts(WELCOME), WAIT,
                     f"message starting {WELCOME!r}", GW)
        if admin_notice:
            notice = f"New user registered: {self.jid(user)}"
            self.attempt(f"{label}: admin got '{notice}'", self.inbox["admin"].message,
                         lambda m: m["body"] == notice, WAIT, repr(notice), GW)


def refused(run, label, user, fields, condition, text=None):
    try:
        register_set(run.clients[user], GW, fields)
    except harness.IqError as e:
        cond, got_text = error_condition(e)
        ok = cond == condition and (text is None or got_text == text)
        return run.checks.check(label, ok, f"got {cond} {got_text!r}")
    except Exception as e:  # noqa: BLE001 - e.g. no reply at all
        return run.checks.check(label, False, harness.describe(e))
    return run.checks.check(label, False, "got a result")


def form_registration(run):
    checks = run.checks
    if not run.start_gateway("gateway-form", "form"):
        return False
    info = checks.attempt("form: get answered", register_get, run.clients["alice"], GW)
    if info is None:
        return False
    checks.check("form: <instructions/>, <username/>, <password/>",
                 info["instructions"] and {"username", "password"} <= info["legacy"],
                 f"got {info}")
    fields = info["fields"] or {}
    for var, ftype in (("username", "text-single"), ("password", "text-private")):
        f = fields.get(var)
        checks.check(f"form: x-data field {var} {ftype} required",
                     f is not None and f["type"] == ftype and f["required"],
                     f"fields {fields}")
    checks.check("form: not <registered/> yet", not info["registered"])
    refused(run, "form: password 'wrong' refused with not-authorized 'wrong password'",
            "alice", {"username": "alice-echo", "password": "wrong"}, "not-authorized",
            "wrong password")
    refused(run, "form: missing password refused with not-acceptable", "alice",
            {"username": "alice-echo"}, "not-acceptable")
    if not checks.attempt("form: registration accepted", register_set, run.clients["alice"],
                          GW, {"username": "alice-echo", "password": "secret"}):
        return False
    run.finished("form", "alice")
    # slixmpp auto-authorizes and subscribes back; a registered user is approved.
    run.attempt("form: the gateway approved the subscription back (subscribed)",
                run.inbox["alice"].presence, "subscribed", GW, WAIT)
    got = run.check_registered("form, second get", "alice", True)
    if got:
        checks.check("form: second get pre-fills the username", got[1] == "alice-echo",
                     f"username {got[1]!r}")
    return True


def stored_logins(run, user):
    """The echo's login counter in the user's stored legacy data (None if unreadable)."""
    r = subprocess.run(["sqlite3", run.db, "SELECT legacy_data FROM users WHERE jid = "
                        f"'{user}@localhost'"], capture_output=True, text=True, timeout=20,
                       stdin=subprocess.DEVNULL)
    try:
        return json.loads(r.stdout)["logins"]
    except (ValueError, KeyError, TypeError):
        return None


def persistence(run):
    # The echo refreshes its "token" (a login counter) in the legacy data at each login,
    # with Session::update_legacy_data: what the first run stored must reach the second.
    checks = run.checks
    if not run.sigterm_gateway("form gateway"):
        return False
    first = stored_logins(run, "alice")
    checks.check("the first run's session refreshed its token (logins = 1)", first == 1,
                 f"logins {first!r}")
    if not run.start_gateway("gateway-form-2", "form"):
        return False
    run.check_registered("after restart, alice", "alice", True)
    try:
        ok = harness.wait_until(lambda: stored_logins(run, "alice") == 2, WAIT)
    except TimeoutError:
        ok = False
    checks.check("after restart the session logged in with the refreshed token (logins = 2)",
                 ok, f"logins {stored_logins(run, 'alice')!r}")
    return True


def killed_mid_registration(run):
    checks, bob = run.checks, run.clients["bob"]
    if not (run.sigterm_gateway("second form gateway")
            and run.start_gateway("gateway-2fa", "two-factor")):
        return False
    # Plain XEP-0077 fields this time (a client without data forms).
    if not checks.attempt("two-factor: plain <username/><password/> accepted", register_set,
                          bob, GW, {"username": "bob-echo", "password": "pw"}, False):
        return False
    if not run.attempt("two-factor: code prompt ('reply with the code')",
                       run.inbox["bob"].message, body_has("reply with the code"), WAIT,
                       "code prompt", GW):
        return False
    run.gateway.proc.send_signal(signal.SIGKILL)
    checks.check("kill -9 the gateway mid-registration", run.gateway.proc.wait(10) == -9)
    r = subprocess.run(["sqlite3", run.db, "PRAGMA integrity_check"], capture_output=True,
                       text=True, timeout=20, stdin=subprocess.DEVNULL)
    checks.check("database passes PRAGMA integrity_check after kill -9",
                 r.returncode == 0 and r.stdout.strip() == "ok",
                 f"exit {r.returncode}: {r.stdout.strip()!r} {r.stderr.strip()!r}")
    if not run.start_gateway("gateway-2fa-2", "two-factor"):
        return False
    run.check_registered("after kill -9, bob", "bob", False)
    run.check_registered("after kill -9, alice", "alice", True)
    stray = run.inbox["bob"].find("message", body_starts(WELCOME))
    checks.check("after kill -9: bob got no welcome", stray is None, stray and stray["body"])
    return True


def two_factor(run):
    checks, box = run.checks, run.inbox["bob"]
    box.clear()
    if not checks.attempt("two-factor: form submitted again", register_set, run.clients["bob"],
                          GW, {"username": "bob-echo", "password": "pw"}):
        return False
    if not run.attempt("two-factor: code prompt again", box.message,
                       body_has("reply with the code"), WAIT, "code prompt", GW):
        return False
    send_chat(run.clients["bob"], GW, "654321")
    run.attempt("two-factor: wrong code answered 'not accepted'", box.message,
                body_has("not accepted"), WAIT, "'not accepted'", GW)
    checks.check("two-factor: nothing finished by the wrong code",
                 box.find("message", body_starts(WELCOME)) is None)
    send_chat(run.clients["bob"], GW, CODE)
    run.finished("two-factor", "bob")
    run.check_registered("two-factor", "bob", True)
    return True


def decode_qr(path):
    r = subprocess.run(["zbarimg", "--quiet", "--raw", path], capture_output=True,
                       text=True, timeout=20, stdin=subprocess.DEVNULL)
    if r.returncode == 4:
        raise RuntimeError("zbarimg found no barcode in the image (exit 4)")
    if r.returncode != 0:
        raise RuntimeError(f"zbarimg exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout.strip()


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type"), response.read()


def qr(run):
    checks, box = run.checks, run.inbox["carol"]
    if not (run.sigterm_gateway("two-factor gateway")
            and run.start_gateway("gateway-qr", "qr", "--echo.qr_delay", str(QR_DELAY))):
        return False
    if not checks.attempt("qr: form accepted", register_set, run.clients["carol"], GW,
                          {"username": "carol-echo", "password": "pw"}):
        return False
    link = run.attempt("qr: message with a jabber:x:oob URL", box.message,
                       lambda m: oob_url(m) is not None, WAIT, "OOB message", GW)
    text_msg = run.attempt("qr: \"The code's text:\" message", box.message,
                           body_starts("The code's text: "), WAIT, "code text", GW)
    blocks = run.attempt("qr: the code drawn in Unicode blocks", box.message,
                         lambda m: any(c in m["body"] for c in "█▀▄"), WAIT, "block QR", GW)
    if blocks:
        print(f"# QR as text: {len(blocks['body'].splitlines())} lines")
    text = text_msg["body"][len("The code's text: "):].strip() if text_msg else None
    if link:
        url = oob_url(link)
        checks.check("qr: body is the OOB URL", link["body"].strip() == url,
                     f"body {link['body']!r}, url {url!r}")
        checks.check("qr: URL on Prosody's http port",
                     url.startswith(f"http://127.0.0.1:{run.http_port}/"), f"got {url!r}")
        got = checks.attempt("qr: PNG downloads", fetch, url)
        if got:
            status, ctype, data = got
            checks.check("qr: served as a PNG (image/png, PNG signature)",
                         ctype == "image/png" and data[:8] == b"\x89PNG\r\n\x1a\n",
                         f"status {status}, type {ctype!r}, starts {data[:8]!r}")
            path = os.path.join(run.prosody.tmp, "qr.png")
            with open(path, "wb") as f:
                f.write(data)
            decoded = checks.attempt("qr: zbarimg decodes the PNG", decode_qr, path)
            if decoded is not None:
                checks.check("qr: decoded text equals the code's text", decoded == text,
                             f"decoded {decoded!r}, text {text!r}")
    run.finished(f"qr (scanned after {QR_DELAY} s)", "carol")
    run.check_registered("qr", "carol", True)
    return True


def unregistration(run):
    checks, box = run.checks, run.inbox["alice"]
    if not checks.attempt("remove: <remove/> answered with a result", register_remove,
                          run.clients["alice"], GW):
        return
    run.check_registered("remove", "alice", False)
    run.attempt("remove: unsubscribed presence from the gateway", box.presence,
                "unsubscribed", GW, WAIT)


def stranger(run):
    box = run.inbox["stranger"]
    send_chat(run.clients["stranger"], GW, "hello?")
    err = run.attempt("unregistered user's message: error reply", box.message,
                      lambda m: m["type"] == "error", WAIT, "error message", GW)
    if err:
        run.checks.check("unregistered user's message: registration-required",
                         err["error"]["condition"] == "registration-required",
                         f"got {err['error']['type']}/{err['error']['condition']}")


def main(binary):
    checks = Checks()
    for tool in ("sqlite3", "zbarimg"):
        if not shutil.which(tool):
            print(f"not ok - {tool} not installed (apt-get install "
                  f"{'sqlite3' if tool == 'sqlite3' else 'zbar-tools'})")
            return 1
    with Run(binary, checks) as run:
        if run.started:
            for user in USERS:
                run.connect(user)
            if checks.ok and form_registration(run) and persistence(run) \
                    and killed_mid_registration(run) and two_factor(run) and qr(run):
                unregistration(run)
                stranger(run)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
