#!/usr/bin/python3
# End-to-end test of legate-echo as a daemon beside a private Prosody: systemd notify
# (NOTIFY_SOCKET is a unix datagram socket of the test: READY=1 and STATUS= after the
# handshake, STOPPING=1 at shutdown), SIGHUP re-reading [log] level from the INI file into
# the [log] file (a bad file keeps the level, the daemon keeps running), and SIGTERM while
# 200 messages are in flight: exit 0 within 10 s, the database intact, the user kept.
# Usage: /usr/bin/python3 test_daemon.py PATH/TO/legate-echo
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import Checks, Scenario, run_test  # noqa: E402
from xmpp_helpers import body_has, send_chat  # noqa: E402

GW = "gw.localhost"
USER = "tester"
CODE = "123456"
TOTAL_TIMEOUT = 120
WAIT = 10
MESSAGES = 200


class Notifications:
    """What the gateway sends to NOTIFY_SOCKET, one datagram a message."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.path, self.received = path, []

    def drain(self, timeout=0.2):
        self.sock.settimeout(timeout)
        try:
            while True:
                self.received.append(self.sock.recv(4096).decode())
                self.sock.settimeout(0.05)
        except (socket.timeout, BlockingIOError):
            pass

    def lines(self):
        return [line for message in self.received for line in message.split("\n") if line]

    def wait_for(self, pred, timeout, what):
        def seen():
            self.drain()
            return any(pred(line) for line in self.lines())
        return harness.wait_until(seen, timeout, 0.05, what)


def write_ini(path, level, log_file):
    with open(path, "w") as f:
        f.write(f"[log]\nlevel = {level}\nfile = {log_file}\n")


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def in_log(path, text, timeout=WAIT):
    return harness.wait_until(lambda: text in read(path), timeout, 0.2, f"{text!r} in the log")


def sighup(checks, gateway, ini, log_file, client, box):
    write_ini(ini, "debug", log_file)
    gateway.proc.send_signal(signal.SIGHUP)
    checks.attempt("SIGHUP: 'log level now debug' in the log file", in_log, log_file,
                   "log level now debug")
    send_chat(client, f"alice@{GW}", "hello alice")
    checks.attempt("echo reply after SIGHUP", box.message, body_has("Echo ("), WAIT, "echo",
                   frm=f"alice@{GW}")
    write_ini(ini, "loud", log_file)  # not a level: refused, the old level stays
    gateway.proc.send_signal(signal.SIGHUP)
    checks.attempt("SIGHUP with a bad file: an error line", in_log, log_file,
                   "configuration not reloaded, log level stays debug")
    time.sleep(0.5)
    checks.check("still running after the bad file", gateway.running)
    write_ini(ini, "info", log_file)
    gateway.proc.send_signal(signal.SIGHUP)
    checks.attempt("a third SIGHUP still handled: 'log level now info'", in_log, log_file,
                   "log level now info")


def sigterm_during_activity(checks, gateway, client, box, notes, db):
    box.clear()
    for i in range(MESSAGES):
        send_chat(client, f"alice@{GW}", f"burst {i}")
    checks.attempt("echo replies flowing", box.message, body_has("Echo ("), WAIT, "echo",
                   frm=f"alice@{GW}")
    started = time.monotonic()
    code = gateway.stop(timeout=10)
    elapsed = time.monotonic() - started
    checks.check("SIGTERM during activity: exit 0 within 10 s",
                 code == 0 and not gateway.died_early, f"exit code {code} after {elapsed:.1f} s")
    checks.attempt("STOPPING=1 received", notes.wait_for, lambda line: line == "STOPPING=1", 2,
                   "STOPPING=1")
    check = subprocess.run(["sqlite3", db, "PRAGMA integrity_check"], capture_output=True,
                           text=True, timeout=10)
    checks.check("database integrity_check ok", check.stdout.strip() == "ok",
                 check.stdout + check.stderr)
    users = subprocess.run(["sqlite3", db, "SELECT jid FROM users"], capture_output=True,
                           text=True, timeout=10)
    checks.check("the user is still registered", f"{USER}@localhost" in users.stdout.split(),
                 users.stdout + users.stderr)


def daemon(run):
    tmp = run.prosody.tmp
    notes = Notifications(os.path.join(tmp, "notify.sock"))
    ini, log_file = os.path.join(tmp, "echo.ini"), os.path.join(tmp, "gateway.log")
    run.prosody.add_log("gateway log file", log_file)
    write_ini(ini, "info", log_file)
    gateway = run.launch_gateway("--config", ini, "--storage.path", run.db,
                                 "--echo.registration", "two-factor", "--echo.code", CODE,
                                 log_level=None, env={"NOTIFY_SOCKET": notes.path})
    run.attempt("READY=1 after the handshake", notes.wait_for,
                lambda line: line == "READY=1", WAIT, "READY=1")
    want = f"STATUS=connected to 127.0.0.1:{run.prosody.component_port}"
    run.check("STATUS= names the server", want in notes.lines(), notes.lines())
    run.attempt("logs go to the log file", in_log, log_file, "database ")
    client = run.connect(USER, check="client connected")
    if client:
        run.register_two_factor(CODE)
        sighup(run.checks, gateway, ini, log_file, client, run.box)
        sigterm_during_activity(run.checks, gateway, client, run.box, notes, run.db)
    run.check("nothing on stderr but startup (logs go to the file)",
              "log level now" not in read(gateway.log_path), harness.tail(gateway.log_path))


def main(binary):
    checks = Checks()
    # No end_check: sigterm_during_activity() stops the gateway, with a check of its own.
    with Scenario(binary, checks, users=[USER], end_check=None) as run:
        if run.started:
            daemon(run)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
