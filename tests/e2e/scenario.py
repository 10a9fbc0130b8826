# The frame every end-to-end test shares, so that each test_*.py keeps only its scenario:
# Checks (one TAP-like line a check), run_test (a test script's entry point) and Scenario,
# a context manager around one run of a gateway beside a private Prosody or ejabberd
# (harness.Server(): .prosody is that server, whichever it is). On entry the server starts
# with the test's users registered ("prosody started" / "ejabberd started"); in the
# body the test connects clients (each with an Inbox), starts the gateway and waits for
# its ping, registers with it and expects stanzas, which fail at once, naming the exit
# code and the log's last lines, when the gateway died; on exit the clients close, the
# gateway's exit on SIGTERM is checked, Prosody stops and, if a check failed, the logs of
# Prosody and the gateway are dumped. Used by every test_*.py.
import os
import sys
import time

import harness
from xmpp_helpers import Inbox, body_has, register_set, send_chat

CONNECTED = "Connected to the echo network"   # legate-echo's status once logged in
DUMP_LINES = 40           # of each log, when a check failed
_SENDER = object()        # expect(frm=...) not given: the scenario's sender


class Checks:
    """TAP-like reporting: one 'ok - name' / 'not ok - name: why' per check."""

    def __init__(self, out=sys.stdout):
        self.out, self.count, self.failures = out, 0, []

    def check(self, name, cond, detail=""):
        self.count += 1
        if not cond:
            self.failures.append(name)
        line = f"ok - {name}" if cond else f"not ok - {name}" + (f": {detail}" if detail else "")
        print(line, file=self.out, flush=True)
        return bool(cond)

    def attempt(self, name, fn, *args, **kwargs):
        """Call fn; an exception is a failed check. Returns fn's value, or
        None on failure."""
        try:
            value = fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001
            self.check(name, False, harness.describe(e))
            return None
        self.check(name, True)
        return value

    @property
    def ok(self):
        return not self.failures

    def summary(self):
        """Print the count of passed checks; returns the exit status (0: all passed)."""
        print(f"# {self.count - len(self.failures)}/{self.count} checks passed",
              file=self.out, flush=True)
        return 0 if self.ok else 1


def run_test(main, total_timeout, what="PATH/TO/legate-echo", kind="gateway binary"):
    """The common entry point of an e2e test script: one argument (an executable `kind`,
    given to main; none when `what` is None), logging, signal handling, a hard deadline, and
    exit status 2 with a `not ok` line when the run aborts or overruns."""
    if len(sys.argv) != (1 if what is None else 2):
        sys.exit(f"usage: {sys.argv[0]} {what or ''}")
    harness.setup_logging()
    harness.install_signal_handlers()
    harness.set_deadline(total_timeout)
    args = sys.argv[1:]
    for binary in args:
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            print(f"not ok - {kind} {binary} is not an executable file", flush=True)
            sys.exit(1)
    try:
        sys.exit(main(*args))
    except harness.Overtime as e:
        print(f"not ok - {e.code}", flush=True)
        sys.exit(2)
    except (Exception, KeyboardInterrupt) as e:
        print(f"not ok - aborted: {harness.describe(e)}", flush=True)
        sys.exit(2)


class GatewayDied(harness.GiveUp):
    """The gateway exited while the test waited; a GiveUp, so that wait_until stops too."""


class Scenario:
    """One run of a gateway beside a private Prosody, as a context manager (see the file's
    header); its body does nothing unless .started (Prosody came up). Arguments:
      label          prefixes every check name (for a test that runs twice)
      users          registered with Prosody, each with the password '<user>-pw'
      wait           the default timeout of expect() and wait_for_gateway()
      sender         the default sender of expected stanzas (None: anyone)
      end_check      the name of the check that the gateway exits 0 on SIGTERM at the end,
                     unless the test ended it itself (None: no such check)
      prosody_check  adds the check 'prosody stopped' at the end
      file_share     an upload component's domain: a XEP-0363 service on .http_port,
                     files up to size_limit; file_share_access: ejabberd's access rule
                     (default: the gateway allowed; "local" is ejabberd's own default)
      **prosody      the rest goes to harness.Server()
    A test with more to do subclasses it (class Run(Scenario))."""

    def __init__(self, binary, checks, label="", users=(), wait=10, sender=None,
                 end_check="gateway exits 0 on SIGTERM", prosody_check=False,
                 file_share=None, size_limit=None, file_share_access=None, **prosody):
        self.binary, self.checks, self.label, self.users = binary, checks, label, users
        self.wait, self.sender = wait, sender
        self.end_check, self.prosody_check = end_check, prosody_check
        self.http_port = None
        if file_share:
            self.http_port = harness.free_port()
            prosody["file_share"] = dict(http_port=self.http_port, domain=file_share,
                                         size_limit=size_limit)
            if file_share_access:
                prosody["file_share"]["access"] = file_share_access
        self.prosody_args = prosody
        self.prosody = self.gateway = self.client = self.box = None
        self.clients, self.inbox = {}, {}     # by user; every client is closed at the end
        self.started = False

    # --- checks, named with the label ---

    def name(self, check):
        return f"{self.label}: {check}" if self.label else check

    def check(self, name, cond, detail=""):
        return self.checks.check(self.name(name), cond, detail)

    def attempt(self, name, fn, *args, **kwargs):
        return self.checks.attempt(self.name(name), fn, *args, **kwargs)

    def jid(self, user):
        return f"{user}@{self.prosody.domain}"

    # --- the run's beginning and end ---

    def __enter__(self):
        self.t0, self.failed_before = time.monotonic(), len(self.checks.failures)
        self.prosody = harness.Server(**self.prosody_args)
        try:
            for user in self.users:
                self.prosody.register(user, f"{user}-pw")
        except BaseException:
            self.prosody.close(failed=True)
            raise
        self.started = bool(self.attempt(f"{self.prosody.name} started", self.prosody.start))
        return self

    def __exit__(self, exc_type, exc, tb):
        aborted = exc_type is not None and not (exc_type is SystemExit
                                                and exc.code in (0, None))
        try:
            self._finish()
        finally:
            # Dumped while the temp dir is still there: close() removes it.
            if aborted or len(self.checks.failures) > self.failed_before:
                self.prosody.dump_logs(lines=DUMP_LINES)
            self.prosody.close()
        took = time.monotonic() - self.t0
        print(f"# {self.label + ' ' if self.label else ''}run took {took:.1f} s", flush=True)

    def _finish(self):
        """Clients first (the gateway sees its users leave), then the gateway, then Prosody."""
        for client in self.clients.values():
            client.close()
        if self.end_check and self.gateway is not None and not self.gateway.stopping:
            self.stop_gateway(self.end_check)
        self.prosody.stop()
        if self.prosody_check and self.started:
            self.check(f"{self.prosody.name} stopped", not self.prosody.running)

    def http_port_open(self):
        """The check that Prosody's HTTP port (file_share) accepts connections."""
        return self.attempt(f"{self.prosody.name}'s http port open", harness.wait_until,
                            lambda: harness.port_open(self.http_port), 10, 0.1, "http port open")

    # --- clients ---

    def connect(self, user, plugins=(), check=None):
        """A client of `user` (password '<user>-pw'), connected, with an Inbox in
        .inbox[user]; the check '<user> connected' (or `check`). Returns the client, or
        None if it did not connect. The first one connected is .client, its Inbox .box."""
        client = harness.Client(self.prosody, user, f"{user}-pw", timeout=5, plugins=plugins)
        self.clients[user] = client
        if not self.attempt(check or f"{user} connected", client.connect):
            return None
        self.inbox[user] = Inbox(client).attach()
        if self.client is None:
            self.client, self.box = client, self.inbox[user]
        return client

    # --- the gateway ---

    def launch_gateway(self, *args, name="gateway", log_level="debug", env=None):
        """Start the gateway (harness.Gateway with these extra arguments) as .gateway, without
        waiting for it. Returns it."""
        self.gateway = harness.Gateway(self.binary, self.prosody, log_level=log_level,
                                       extra_args=args, name=name, env=env).start()
        return self.gateway

    def start_gateway(self, *args, check="gateway answers ping", timeout=None, **kwargs):
        """launch_gateway(), then the check that it answers .client's ping within timeout
        (default: wait). Truthy if it does."""
        self.launch_gateway(*args, **kwargs)
        return self.attempt(check, self.wait_for_gateway, timeout)

    def wait_for_gateway(self, timeout=None):
        return harness.wait_for_gateway(self.client, self.gateway, timeout or self.wait)

    @property
    def db(self):
        """The database of a gateway launched with the default name; gateways launched one
        after the other under other names share it by '--storage.path', run.db."""
        return os.path.join(self.prosody.tmp, "gateway.sqlite")

    def gateway_log(self):
        with open(self.gateway.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def alive(self):
        """Raise GatewayDied if the gateway exited without the test ending it, so that a wait
        fails at once with the reason instead of timing out."""
        gateway = self.gateway
        if gateway is not None and gateway.proc.poll() is not None and not gateway.stopping:
            last = harness.tail(gateway.log_path, 2).replace("\n", " | ")
            raise GatewayDied(f"the gateway died (exit {gateway.proc.returncode}): {last}")

    def stop_gateway(self, check="gateway exits 0 on SIGTERM", timeout=10.0):
        """SIGTERM the gateway; the check that it exits 0 (not dead before, not killed)."""
        gateway = self.gateway
        died = gateway.proc.poll()
        code = gateway.stop(timeout)
        return self.check(check, died is None and code == 0,
                          f"it had died with {died}" if died is not None
                          else "had to be killed" if code is None else f"exit code {code}")

    # --- stanzas ---

    def expect(self, name, pred, frm=_SENDER, kind="message", user=None, timeout=None,
               what=None):
        """The check that a stanza of `kind` from `frm` (None: anyone; default: the
        scenario's sender) matching pred reaches `user` (default: .client) within timeout
        (default: wait). Returns it, or None. Fails at once if the gateway died."""
        sender = self.sender if frm is _SENDER else frm
        box = self.inbox[user] if user else self.box

        def match(s):
            return (sender is None or s["from"].bare == sender) and pred(s)
        return self.attempt(name, box.expect, kind, match, timeout or self.wait, what or name,
                            self.alive)

    def logged_in(self, check=f"gateway presence '{CONNECTED}'", user=None):
        """The check that the gateway shows `user`'s session logged in (its status)."""
        return bool(self.expect(check, lambda p: p["type"] == "available"
                                and p["status"] == CONNECTED, frm=self.prosody.component,
                                kind="presence", user=user))

    def register_two_factor(self, code, username="tester-echo"):
        """Register .client with legate-echo's two-factor type: the form, the code it asks
        for in chat, the welcome. True if all of it came."""
        gw = self.prosody.component
        if not self.attempt("registration form accepted", register_set, self.client, gw,
                            {"username": username, "password": "pw"}):
            return False
        if not self.expect("two-factor code prompt", body_has("reply with the code"), frm=gw):
            return False
        send_chat(self.client, gw, code)
        return bool(self.expect("welcome message", body_has("Welcome to Legate Echo"), frm=gw))
