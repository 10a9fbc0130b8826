# Legate end-to-end test harness: runs a throwaway Prosody 0.12 in a temp dir,
# starts a gateway binary on its XEP-0114 component port, and drives slixmpp
# clients (blocking facade over one shared asyncio loop) to talk to it.
# Used by test_component.py and demo.py. To extend: Prosody(extra_global=...,
# extra_vhost=..., extra_config=...) for more modules/components,
# Client(plugins=[...]) and Client.run(coro) for anything not wrapped here.
# Needs /usr/bin/python3 (Debian's python3-slixmpp 1.8.3), prosody, prosodyctl.
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


def _spawn(argv, out_path, cwd):
    """Start a child with stdout+stderr appended to out_path, in its own
    session (a terminal Ctrl-C reaches only the harness, which stops children
    in order) and with PR_SET_PDEATHSIG=SIGKILL (dies if the harness is killed)."""
    with open(out_path, "ab") as out:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True,
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


CONFIG_TEMPLATE = """\
-- generated by tests/e2e/harness.py
run_as_root = true
daemonize = false
pidfile = "{tmp}/prosody.pid"
data_path = "{tmp}/data"
log = {{ {log_level} = "{tmp}/prosody.log" }}
modules_enabled = {{ "disco", "roster", "saslauth", "ping", "version", "posix" }}
modules_disabled = {{ "s2s" }}
allow_registration = false
authentication = "internal_plain"
c2s_require_encryption = false
c2s_ports = {{ {c2s_port} }}
c2s_interfaces = {{ "127.0.0.1" }}
component_ports = {{ {component_port} }}
component_interfaces = {{ "127.0.0.1" }}
{extra_global}
VirtualHost "{domain}"
{extra_vhost}
Component "{component}"
    component_secret = "{secret}"
{extra_config}
"""


def file_share_config(http_port, upload="upload.localhost", size_limit=None):
    """(extra_global, extra_config) for a Prosody with mod_http_file_share on loopback.
    http_default_host: Prosody routes HTTP by Host header, and 127.0.0.1 (the host of
    the upload URLs) is none of its hosts, so without it PUT and GET answer 404."""
    extra_global = (f'http_ports = {{ {http_port} }}\n'
                    'http_interfaces = { "127.0.0.1" }\n'
                    'https_ports = {}\n'
                    f'http_external_url = "http://127.0.0.1:{http_port}/"\n'
                    f'http_default_host = "{upload}"\n')
    extra_config = f'Component "{upload}" "http_file_share"\n'
    if size_limit is not None:
        extra_config += f'    http_file_share_size_limit = {size_limit}\n'
    return extra_global, extra_config


class Prosody:
    """A private Prosody. As a context manager it always stops what it started
    (Prosody and adopted Gateways) and removes its temp dir (kept when
    LEGATE_KEEP_TMP is set); on an exception it prints the logs' tails.
    extra_global / extra_vhost / extra_config: raw Lua added to the global
    section, the VirtualHost, and the end of the file (more Components)."""

    def __init__(self, domain="localhost", component="gw.localhost",
                 secret="legate-e2e-secret", log_level="info", extra_global="",
                 extra_vhost="", extra_config="", start_timeout=15.0):
        self.domain, self.component, self.secret = domain, component, secret
        self.start_timeout = start_timeout
        self.tmp = tempfile.mkdtemp(prefix="legate-e2e-")
        self.c2s_port = self.component_port = free_port()
        while self.component_port == self.c2s_port:
            self.component_port = free_port()
        self.config = os.path.join(self.tmp, "prosody.cfg.lua")
        self.log_path = os.path.join(self.tmp, "prosody.log")
        self.console_path = os.path.join(self.tmp, "prosody.console")
        self.proc = None
        self._children = []      # (label, object with .stop() and .log_path)
        os.makedirs(os.path.join(self.tmp, "data"))
        # Prosody indexes <config dir>/certs at startup and logs an error if it
        # is missing. No certificates there = no STARTTLS offered, as we want.
        os.makedirs(os.path.join(self.tmp, "certs"))
        with open(self.config, "w") as f:
            f.write(CONFIG_TEMPLATE.format(
                tmp=self.tmp, log_level=log_level, domain=domain, component=component,
                secret=secret, c2s_port=self.c2s_port, component_port=self.component_port,
                extra_global=extra_global, extra_vhost=extra_vhost,
                extra_config=extra_config))

    def start(self):
        """Start `prosody --config FILE -F`; return once both ports accept TCP."""
        if self.running:
            raise RuntimeError("prosody already running")
        self.proc = _spawn(["prosody", "--config", self.config, "-F"],
                           self.console_path, self.tmp)

        def ready():
            if self.proc.poll() is not None:
                raise GiveUp(f"prosody exited with {self.proc.returncode}\n"
                             f"{tail(self.console_path)}\n{tail(self.log_path)}")
            return port_open(self.c2s_port) and port_open(self.component_port)
        try:
            wait_until(ready, self.start_timeout, 0.1, "prosody listening")
        except TimeoutError:
            self.stop()
            raise
        return self

    def stop(self, timeout=10.0):
        """SIGTERM and wait, SIGKILL fallback. Returns the exit code (None if
        never started)."""
        if self.proc is None:
            return None
        code, killed = _terminate(self.proc, timeout)
        if killed:
            print(f"# prosody ignored SIGTERM for {timeout} s, killed", file=sys.stderr)
        wait_until(lambda: not port_open(self.c2s_port), 5, 0.1, "c2s port closed")
        return code

    def restart(self):
        """Stop, then start again on the same ports, config and data."""
        self.stop()
        return self.start()

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def prosodyctl(self, *args, timeout=30):
        """Run prosodyctl on this config; returns the CompletedProcess."""
        return subprocess.run(["prosodyctl", "--config", self.config, *args],
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, cwd=self.tmp)

    def register(self, user, password):
        """Create user@domain (works whether the server runs or not)."""
        r = self.prosodyctl("register", user, self.domain, password)
        if r.returncode != 0:
            raise RuntimeError(f"prosodyctl register {user} failed "
                               f"({r.returncode}): {r.stdout}{r.stderr}")
        return f"{user}@{self.domain}"

    def adopt(self, label, child):
        """Have child (with .stop() and .log_path) stopped on exit, its log
        dumped on failure."""
        self._children.append((label, child))
        return child

    def dump_logs(self, lines=60, out=sys.stderr):
        print(f"# ---- temp dir: {self.tmp}", file=out)
        logs = [("prosody console", self.console_path), ("prosody log", self.log_path)]
        for label, path in logs + [(l, c.log_path) for l, c in self._children]:
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
            if failed:
                self.dump_logs()
            if os.environ.get("LEGATE_KEEP_TMP"):
                print(f"# kept temp dir {self.tmp}", file=sys.stderr)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(failed=exc_type is not None and not (
            exc_type is SystemExit and exc.code in (0, None)))


class Gateway:
    """A gateway process (e.g. legate-echo) given the --component.* flags for
    prosody's component port; output goes to <tmp>/<name>.stderr. Adopted by
    the Prosody, so it is stopped when that context exits."""

    def __init__(self, binary, prosody, log_level="debug", extra_args=(), name="gateway"):
        self.prosody, self.jid = prosody, prosody.component
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
        prosody.adopt(name, self)

    def start(self):
        self.proc = _spawn(self.argv, self.log_path, self.prosody.tmp)
        return self

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10.0):
        """SIGTERM and wait. Returns the exit code, or None if it had to be
        SIGKILLed (or was never started)."""
        if self.proc is None:
            return None
        self.died_early = self.died_early or self.proc.poll() is not None
        code, killed = _terminate(self.proc, timeout)
        return None if killed else code


from client import Client, event_loop  # noqa: E402,F401  (split for size)


def run_test(main, total_timeout, what="PATH/TO/legate-echo"):
    """The common entry point of an e2e test script: one argument (a binary), logging,
    signal handling, a hard deadline, and exit status 2 with a `not ok` line when the run
    aborts or overruns."""
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} {what}")
    setup_logging()
    install_signal_handlers()
    set_deadline(total_timeout)
    try:
        sys.exit(main(sys.argv[1]))
    except Overtime as e:
        print(f"not ok - {e.code}", flush=True)
        sys.exit(2)
    except (Exception, KeyboardInterrupt) as e:
        print(f"not ok - aborted: {describe(e)}", flush=True)
        sys.exit(2)


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
            self.check(name, False, describe(e))
            return None
        self.check(name, True)
        return value

    @property
    def ok(self):
        return not self.failures

    def summary(self):
        print(f"# {self.count - len(self.failures)}/{self.count} checks passed",
              file=self.out, flush=True)
