# Legate end-to-end test harness, the process level: runs a throwaway Prosody 0.12
# (prosody.py) or ejabberd 23.01 (ejabberd.py; LEGATE_E2E_SERVER=ejabberd) in a temp dir,
# starts a gateway binary on its XEP-0114 component port, and drives slixmpp clients
# (blocking facade over one shared asyncio loop, client.py) to talk to it.
# scenario.py builds the frame of every test run on top of this; demo.py uses it as is.
# To extend: Server(privilege=..., modules=..., file_share=...) for server-neutral features,
# Client(plugins=[...]) and Client.run(coro) for anything not wrapped.
# Needs /usr/bin/python3 (Debian's python3-slixmpp 1.8.3), prosody or ejabberd.
import ctypes
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

try:
    import slixmpp  # noqa: F401  (fail early, with a clear message)
    from slixmpp.exceptions import IqError, IqTimeout
except ImportError:
    sys.exit(f"{sys.executable} has no slixmpp: run with /usr/bin/python3 (python3-slixmpp)")


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class GiveUp(Exception):
    """Raise it from a wait_until predicate to stop retrying at once."""


def wait_until(pred, timeout, interval=0.25, what="condition"):
    """Call pred() until it returns something truthy (returned) or `timeout`
    seconds pass (TimeoutError naming the last error). Exceptions raised by
    pred mean 'not yet', except GiveUp, which propagates."""
    deadline, last = time.monotonic() + timeout, None
    while True:
        try:
            value = pred()
            if value:
                return value
            last = None
        except GiveUp:
            raise
        except Exception as e:  # noqa: BLE001 - retried, reported on timeout
            last = e
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} not met within {timeout:.0f} s"
                               + (f" (last error: {describe(last)})" if last else ""))
        time.sleep(interval)


def describe(exc):
    """One line for an exception; XMPP error replies by type/condition."""
    if isinstance(exc, IqError):
        err = exc.iq["error"]
        text = f" {err['text']!r}" if err["text"] else ""
        return f"error reply {err['type']}/{err['condition']}{text}"
    if isinstance(exc, IqTimeout):
        return "no reply (IqTimeout)"
    return f"{type(exc).__name__}: {exc}"


class Overtime(SystemExit):
    """Raised when the set_deadline() alarm fires. A SystemExit, because an
    Exception would be swallowed by retry loops, checks and asyncio callbacks."""


def set_deadline(seconds):
    """Abort the whole run with Overtime after `seconds` (SIGALRM)."""
    def handler(_signum, _frame):
        raise Overtime(f"run exceeded its {seconds} s deadline")
    signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)


def install_signal_handlers():
    """Turn SIGTERM/SIGHUP (e.g. a test runner's timeout) into SystemExit so
    the context managers still stop Prosody and the gateway."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


def setup_logging():
    """slixmpp errors to stderr; LEGATE_E2E_DEBUG=1 for full stanza traces."""
    level = logging.DEBUG if os.environ.get("LEGATE_E2E_DEBUG") else logging.ERROR
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="# %(levelname)s %(name)s: %(message)s")


_prctl = ctypes.CDLL(None).prctl


def _spawn(argv, out_path, cwd, env=None):
    """Start a child with stdout+stderr appended to out_path, in its own
    session (a terminal Ctrl-C reaches only the harness, which stops children
    in order) and with PR_SET_PDEATHSIG=SIGKILL (dies if the harness is killed).
    env: variables added to the harness's environment for this child only."""
    with open(out_path, "ab") as out:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True,
                                env=dict(os.environ, **env) if env else None,
                                preexec_fn=lambda: _prctl(1, signal.SIGKILL, 0, 0, 0))


def _terminate(proc, timeout):
    """SIGTERM, wait, SIGKILL fallback. Returns (exit code, was_killed)."""
    if proc.poll() is not None:
        return proc.returncode, False
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout), False
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(5), True


# Timestamps, <stanzas> and hex ids: ignored when folding repeated log lines.
_LOG_NOISE = re.compile(r"^(\w{3} +\d+ |\d{4}-\d\d-\d\d[ T])[\d:.,]+|<[^>]*>|[0-9a-f-]{8,}")


def tail(path, lines=60):
    """The last `lines` lines of a log, runs of similar lines folded."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError as e:
        return f"<cannot read {path}: {e}>"
    out, prev, dup = [], None, 0
    for line in text.splitlines():
        key = _LOG_NOISE.sub("", line)
        if key == prev:
            dup += 1
            continue
        if dup:
            out.append(f"    [... {dup} more similar line(s)]")
        out.append(line)
        prev, dup = key, 0
    if dup:
        out.append(f"    [... {dup} more similar line(s)]")
    return "\n".join(out[-lines:])


SERVER = os.environ.get("LEGATE_E2E_SERVER", "prosody")   # or "ejabberd" (meson's *-ejabberd)
# What the server of this run does for a granted component (docs/xeps.md has the table):
# ejabberd 23.01 grants roster set but answers every push internal-server-error (it looks
# for mod_roster on the component's domain), routes privileged messages straight to their
# recipient (no carbons, no MAM: the gateway finds out from its version and falls back), and
# has no iq permission (24.10 has all three).
PRIVILEGED_ROSTER = SERVER != "ejabberd"
PRIVILEGED_CARBONS = SERVER != "ejabberd"
PRIVILEGED_IQ = SERVER != "ejabberd"


def privilege_config(component):
    """Server() keyword arguments granting `component` roster access and outgoing messages
    by XEP-0356 (mod_privilege): the mode test_messaging.py and test_leaving.py run twice."""
    return dict(privilege=dict(roster="both", message="outgoing"))


def carbons_config(component, message=True):
    """Server() keyword arguments for XEP-0356 carbons (test_carbons.py): roster both and, if
    `message`, outgoing messages granted; carbons (XEP-0280) and MAM (XEP-0313, archiving
    every message of every user)."""
    grants = dict(roster="both", message="outgoing") if message else dict(roster="both")
    return dict(privilege=grants, modules=("carbons", "mam"))


def bookmarks_config(component, iq=True):
    """Server() keyword arguments for XEP-0402 bookmarks (test_bookmarks.py): PEP and
    bookmarks (Prosody 0.12 mirrors urn:xmpp:bookmarks:1 to the XEP-0048 private XML and PEP
    storage:bookmarks), roster both, outgoing messages and, if `iq`, the pubsub iq permission
    (pubsub both, pubsub#owner set; docs/admin.md). ejabberd 23.01 has no iq permission."""
    grants = dict(roster="both", message="outgoing")
    if iq:
        grants["iq"] = {"http://jabber.org/protocol/pubsub": "both",
                        "http://jabber.org/protocol/pubsub#owner": "set"}
    return dict(privilege=grants, modules=("pep", "bookmarks"))


def Server(**kwargs):
    """The private XMPP server of this run: Prosody, or ejabberd when LEGATE_E2E_SERVER says
    so. Both take the same keyword arguments (see PrivateServer) and offer the same methods."""
    return Ejabberd(**kwargs) if SERVER == "ejabberd" else Prosody(**kwargs)


def stop_process(proc, name, port, host="127.0.0.1", timeout=10.0):
    """SIGTERM a server by PID and wait (SIGKILL after `timeout`), then wait for its port to
    close. Returns the exit code, None if it had to be killed or never started."""
    if proc is None:
        return None
    code, killed = _terminate(proc, timeout)
    if killed:
        print(f"# {name} ignored SIGTERM for {timeout} s, killed", file=sys.stderr)
    wait_until(lambda: not port_open(port, host), 5, 0.1, f"{name} port closed")
    return code


class Restartable:
    """What a private server started by start(), stopped by stop() (its process in .proc)
    and cleaned up by close(failed) also offers: restart(), running, and `with` (the logs
    dumped when the block fails)."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(failed=exc_type is not None and not (
            exc_type is SystemExit and exc.code in (0, None)))

    def restart(self):
        """Stop, then start again on the same ports, config and data."""
        self.stop()
        return self.start()

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def cleanup(self, failed, own_tmp=True):
        """After stop(): the logs' tails when failed, then the temp dir removed (kept when
        LEGATE_KEEP_TMP is set; never one the caller gave: own_tmp False)."""
        if failed:
            self.dump_logs()
        if not own_tmp:
            return
        if os.environ.get("LEGATE_KEEP_TMP"):
            print(f"# kept temp dir {self.tmp}", file=sys.stderr)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def wait_listening(proc, name, port, log_path, timeout, host="127.0.0.1"):
    """Wait until a server just spawned (proc) accepts TCP on port; GiveUp with its log's
    tail if it exits first, TimeoutError after `timeout` s."""
    def ready():
        if proc.poll() is not None:
            raise GiveUp(f"{name} exited with {proc.returncode}\n{tail(log_path)}")
        return port_open(port, host)
    wait_until(ready, timeout, 0.05, f"{name} listening")


class PrivateServer(Restartable):
    """What Prosody and Ejabberd share. As a context manager it always stops what it started
    (the server and adopted Gateways) and removes its temp dir (kept when LEGATE_KEEP_TMP is
    set); on an exception it prints the logs' tails. The server-neutral features:
      privilege          XEP-0356 grants to the component: dict(roster=, message=, iq={ns: type})
      modules            more of the server: "carbons", "mam", "pep", "bookmarks"
      file_share         dict(http_port=, domain=, size_limit=): a XEP-0363 service on loopback
      stanza_size_limit  the c2s stanza size limit in bytes (None: the server's default)
    Subclasses set .log_path/.console_path, write their config and define start()."""
    name = "server"

    def __init__(self, domain, component, secret, start_timeout):
        self.domain, self.component, self.secret = domain, component, secret
        self.start_timeout = start_timeout
        self.tmp = tempfile.mkdtemp(prefix=f"legate-e2e-{self.name}-")
        self.c2s_port = self.component_port = free_port()
        while self.component_port == self.c2s_port:
            self.component_port = free_port()
        self.proc = None
        self._children = []      # (label, object with .stop() and .log_path)
        self._logs = []          # (label, path): more logs for dump_logs()

    def _wait_listening(self, extra_ready=lambda: True):
        def ready():
            if self.proc.poll() is not None:
                raise GiveUp(f"{self.name} exited with {self.proc.returncode}\n"
                             f"{tail(self.console_path)}\n{tail(self.log_path)}")
            return (port_open(self.c2s_port) and port_open(self.component_port)
                    and extra_ready())
        try:
            wait_until(ready, self.start_timeout, 0.1, f"{self.name} listening")
        except TimeoutError:
            self.stop()
            raise

    def stop(self, timeout=10.0):
        """SIGTERM and wait, SIGKILL fallback. Returns the exit code (None if
        never started)."""
        return stop_process(self.proc, self.name, self.c2s_port, timeout=timeout)

    def adopt(self, label, child):
        """Have child (with .stop() and .log_path) stopped on exit, its log
        dumped on failure."""
        self._children.append((label, child))
        return child

    def add_log(self, label, path):
        """Have dump_logs() show the tail of one more file (e.g. a log the test configured)."""
        self._logs.append((label, path))

    def dump_logs(self, lines=60, out=sys.stderr):
        print(f"# ---- temp dir: {self.tmp}", file=out)
        logs = [(f"{self.name} console", self.console_path), (f"{self.name} log", self.log_path)]
        for label, path in logs + [(l, c.log_path) for l, c in self._children] + self._logs:
            if os.path.exists(path) and os.path.getsize(path):
                print(f"# ---- tail of {label} ({path}):\n{tail(path, lines)}", file=out)

    def close(self, failed=False):
        for label, child in reversed(self._children):
            try:
                child.stop()
            except Exception as e:  # noqa: BLE001 - keep cleaning up
                print(f"# stopping {label} failed: {e!r}", file=sys.stderr)
        try:
            self.stop()
        finally:
            self.cleanup(failed)


class Gateway:
    """A gateway process (e.g. legate-echo) given the --component.* flags for
    prosody's component port; output goes to <tmp>/<name>.stderr. Adopted by
    the Prosody, so it is stopped when that context exits. env: variables for
    its environment only (e.g. LEGATE_HTTP_LISTEN)."""

    def __init__(self, binary, prosody, log_level="debug", extra_args=(), name="gateway",
                 env=None):
        self.prosody, self.jid, self.env = prosody, prosody.component, env
        self.log_path = os.path.join(prosody.tmp, f"{name}.stderr")
        self.argv = [os.path.abspath(binary),
                     "--component.jid", prosody.component,
                     "--component.secret", prosody.secret,
                     "--component.host", "127.0.0.1",
                     "--component.port", str(prosody.component_port)]
        if "--storage.path" not in extra_args:  # never the user's data dir
            self.argv += ["--storage.path", os.path.join(prosody.tmp, f"{name}.sqlite")]
        self.argv += ["--log.level", log_level] if log_level else []
        self.argv += list(extra_args)
        self.proc = None
        self.died_early = False   # it had exited by itself before stop()
        # Its end is the test's doing (stop(), or a kill the test sets this for): waits
        # do not report it as a death, and the end of a run does not stop it again.
        self.stopping = False
        prosody.adopt(name, self)

    def start(self):
        self.proc = _spawn(self.argv, self.log_path, self.prosody.tmp, self.env)
        return self

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10.0):
        """SIGTERM and wait. Returns the exit code, or None if it had to be
        SIGKILLed (or was never started)."""
        if self.proc is None:
            return None
        self.stopping = True
        self.died_early = self.died_early or self.proc.poll() is not None
        code, killed = _terminate(self.proc, timeout)
        return None if killed else code


def wait_for_gateway(client, gateway, timeout):
    """Retry a ping from client to the gateway until it answers; GiveUp at once (with the
    end of its log) if it exited. While the component is not connected Prosody 0.12
    bounces IQs at once with a type='wait' <remote-server-timeout/> error (plus
    <not-connected xmlns='xmpp:prosody.im/protocol/component'/>), which ping() raises."""
    def answered():
        if not gateway.running:
            raise GiveUp(f"gateway exited with {gateway.proc.returncode}: "
                         f"{tail(gateway.log_path, 5)}")
        return client.ping(gateway.jid, timeout=2) is not None
    return wait_until(answered, timeout, 0.25, f"ping answered by {gateway.jid}")


from client import Client, event_loop  # noqa: E402,F401  (split for size)
from prosody import Prosody  # noqa: E402
from ejabberd import Ejabberd  # noqa: E402

