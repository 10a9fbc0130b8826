#!/usr/bin/python3
# End-to-end test of HttpUpload (XEP-0363) against a private Prosody 0.12 with
# mod_http_file_share (or ejabberd 23.01 with mod_http_upload, the gateway allowed by its
# access rule; then once more with the default rule, which refuses the gateway: the upload
# fails with forbidden and one warning names the fix) on loopback, driven by
# legate-upload-probe: a 1 MiB random
# file is uploaded by the component and downloaded again (SHA-256 compared); a
# file over the announced limit is refused with a clear error; http_put reports
# HTTP statuses, network errors and its timeout; over https it checks the
# certificate and the host name (a throwaway CA trusted through SSL_CERT_FILE).
# Usage: /usr/bin/python3 test_upload.py PATH/TO/legate-upload-probe
# Prints one "ok - ..." / "not ok - ..." line per check; exit status 0 only if
# all pass. LEGATE_KEEP_TMP=1 keeps the temp dir.
import hashlib
import http.server
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import Checks, Scenario, run_test  # noqa: E402

GW = "gw.localhost"
UPLOAD = "upload.localhost"
SIZE_LIMIT = 2 * 1024 * 1024
TOTAL_TIMEOUT = 120
PROBE_TIMEOUT = 30        # the probe's own deadline; subprocess gets a little more


def run_probe(probe, tmp, args, env=None):
    """Run the probe; returns the CompletedProcess (stdout/stderr as text)."""
    name = "probe-%d" % run_probe.count
    run_probe.count += 1
    r = subprocess.run([probe, "--timeout", str(PROBE_TIMEOUT), *args], capture_output=True,
                       text=True, timeout=PROBE_TIMEOUT + 15, stdin=subprocess.DEVNULL,
                       env=env, cwd=tmp)
    with open(os.path.join(tmp, name + ".log"), "w") as log:
        log.write(f"$ {args}\nexit {r.returncode}\n--- stdout\n{r.stdout}--- stderr\n{r.stderr}")
    return r


run_probe.count = 0


def write_file(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def upload_args(prosody, path, *extra):
    return ["--jid", GW, "--secret", prosody.secret, "--port", str(prosody.component_port),
            "--server-domain", prosody.domain, "--file", path, *extra]


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type"), response.read()


def check_round_trip(checks, probe, prosody, http_port, name, data, content_type):
    path = write_file(prosody.tmp, name, data)
    r = run_probe(probe, prosody.tmp, upload_args(prosody, path, "--content-type", content_type))
    if not checks.check(f"{name}: probe uploaded it (exit 0)", r.returncode == 0,
                        f"exit {r.returncode}, stderr: {r.stderr.strip()}"):
        return
    url = r.stdout.strip()
    checks.check(f"{name}: GET URL on the server's http port",
                 url.startswith(f"http://127.0.0.1:{http_port}/"), f"got {url!r}")
    got = checks.attempt(f"{name}: GET URL downloads", fetch, url)
    if got:
        status, served_type, body = got
        checks.check(f"{name}: same SHA-256 ({len(data)} bytes)",
                     hashlib.sha256(body).hexdigest() == hashlib.sha256(data).hexdigest(),
                     f"status {status}, {len(body)} bytes back")
        # Prosody serves the type the slot was asked with; ejabberd one from the extension.
        want = content_type if harness.SERVER == "prosody" else content_type.split(";")[0]
        checks.check(f"{name}: served as {want}", served_type == want, f"got {served_type!r}")


def check_too_large(checks, probe, prosody):
    path = write_file(prosody.tmp, "big.bin", os.urandom(SIZE_LIMIT + 1))
    r = run_probe(probe, prosody.tmp, upload_args(prosody, path))
    checks.check("over the limit: probe fails", r.returncode == 1,
                 f"exit {r.returncode}, stdout {r.stdout!r}")
    checks.check("over the limit: error says too large and names the limit",
                 "too large" in r.stderr and str(SIZE_LIMIT) in r.stderr,
                 f"stderr: {r.stderr.strip()!r}")


# A PUT to a slot that was never given: Prosody's mod_http_file_share answers 401,
# ejabberd's mod_http_upload 404.
NO_SLOT = {"prosody": ("/file_share/no-such-slot/x.txt", "401"),
           "ejabberd": ("/upload/no-such-slot/x.txt", "404")}


def check_put_statuses(checks, probe, prosody, http_port):
    """http_put alone: a PUT without a slot gets the server's refusal; a closed port is a
    clear network error."""
    path = write_file(prosody.tmp, "small.txt", b"hello\n")
    where, status = NO_SLOT[harness.SERVER]
    r = run_probe(probe, prosody.tmp, ["--put", f"http://127.0.0.1:{http_port}{where}",
                                       "--file", path])
    checks.check(f"PUT without a slot: HTTP {status} reported", r.returncode == 0 and
                 r.stdout.strip() == status, f"exit {r.returncode}, stdout {r.stdout!r}, "
                 f"stderr {r.stderr.strip()!r}")
    closed = harness.free_port()
    r = run_probe(probe, prosody.tmp, ["--put", f"http://127.0.0.1:{closed}/x", "--file", path])
    checks.check("PUT to a closed port: fails with 'refused'",
                 r.returncode == 1 and "refused" in r.stderr.lower(),
                 f"exit {r.returncode}, stderr {r.stderr.strip()!r}")
    # A server that accepts (the kernel does, from the backlog) but never answers.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(4)
        url = f"http://127.0.0.1:{mute.getsockname()[1]}/x"
        t0 = time.monotonic()
        r = run_probe(probe, prosody.tmp, ["--put", url, "--file", path, "--timeout", "2"])
        took = time.monotonic() - t0
    checks.check("PUT to a server that never answers: times out after 2 s",
                 r.returncode == 1 and "no complete response within 2 s" in r.stderr
                 and took < 6, f"exit {r.returncode} after {took:.1f} s, "
                 f"stderr {r.stderr.strip()!r}")


class _PutHandler(http.server.BaseHTTPRequestHandler):
    received = []

    def do_PUT(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.received.append((self.headers.get("Host"), hashlib.sha256(body).hexdigest()))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def make_cert(tmp):
    """A self-signed certificate for DNS name 'localhost' only (not 127.0.0.1)."""
    key, cert = os.path.join(tmp, "tls.key"), os.path.join(tmp, "tls.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    return key, cert


def check_https(checks, probe, tmp):
    key, cert = make_cert(tmp)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PutHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    data = os.urandom(100_000)
    path = write_file(tmp, "tls.bin", data)
    trusting = dict(os.environ, SSL_CERT_FILE=cert)
    try:
        r = run_probe(probe, tmp, ["--put", f"https://localhost:{port}/up/tls.bin",
                                   "--file", path], env=trusting)
        checks.check("https with a trusted certificate: 201", r.returncode == 0 and
                     r.stdout.strip() == "201", f"exit {r.returncode}, stdout {r.stdout!r}, "
                     f"stderr {r.stderr.strip()!r}")
        checks.check("https: body and Host header arrived",
                     (f"localhost:{port}", hashlib.sha256(data).hexdigest())
                     in _PutHandler.received, f"server saw {_PutHandler.received}")
        r = run_probe(probe, tmp, ["--put", f"https://localhost:{port}/up/tls.bin",
                                   "--file", path])
        checks.check("https with an untrusted certificate: refused",
                     r.returncode == 1 and "certificate verify failed" in r.stderr,
                     f"exit {r.returncode}, stderr {r.stderr.strip()!r}")
        r = run_probe(probe, tmp, ["--put", f"https://127.0.0.1:{port}/up/tls.bin",
                                   "--file", path], env=trusting)
        checks.check("https to a name the certificate does not cover: refused",
                     r.returncode == 1 and "certificate verify failed" in r.stderr,
                     f"exit {r.returncode}, stderr {r.stderr.strip()!r}")
    finally:
        server.shutdown()
        server.server_close()


def upload(run, probe):
    checks, prosody, http_port = run.checks, run.prosody, run.http_port
    run.http_port_open()
    check_round_trip(checks, probe, prosody, http_port, "random-1MiB.bin",
                     os.urandom(1024 * 1024), "application/octet-stream")
    check_round_trip(checks, probe, prosody, http_port, "notes été 2024.txt",
                     "Grüße, ✓\n".encode() * 100, "text/plain; charset=utf-8")
    check_too_large(checks, probe, prosody)
    check_put_statuses(checks, probe, prosody, http_port)
    check_https(checks, probe, prosody.tmp)
    for name in sorted(os.listdir(prosody.tmp)):   # shown if a check failed
        if name.startswith("probe-"):
            prosody.add_log(name, os.path.join(prosody.tmp, name))


def refused_slot(run, probe):
    """ejabberd's mod_http_upload with its default access rule (`local`) refuses the
    component: the upload fails with forbidden and one warning names the fix."""
    prosody = run.prosody
    path = write_file(prosody.tmp, "refused.txt", b"refused\n")
    r = run_probe(probe, prosody.tmp, upload_args(prosody, path))
    run.check("the probe's upload fails (exit 1) with forbidden",
              r.returncode == 1 and "forbidden" in r.stderr,
              f"exit {r.returncode}, stderr {r.stderr.strip()!r}")
    warnings = [line for line in r.stderr.splitlines() if "refuses slots to" in line]
    run.check("one warning: the service refuses slots to gw.localhost, fix in docs/admin.md",
              len(warnings) == 1 and f"{UPLOAD} refuses slots to {GW}" in warnings[0]
              and "mod_http_upload's access rule" in warnings[0], f"warnings {warnings}")


def main(probe):
    checks = Checks()
    probe = os.path.abspath(probe)
    # No gateway here: the probe connects as the component, one upload at a time.
    with Scenario(probe, checks, end_check=None, file_share=UPLOAD,
                  size_limit=SIZE_LIMIT) as run:
        if run.started:
            upload(run, probe)
    if harness.SERVER == "ejabberd":
        with Scenario(probe, checks, "default access rule", end_check=None,
                      file_share=UPLOAD, file_share_access="local") as run:
            if run.started:
                refused_slot(run, probe)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT, "PATH/TO/legate-upload-probe", "probe")
