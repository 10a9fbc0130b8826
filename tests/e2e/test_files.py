#!/usr/bin/python3
# End-to-end test of files through legate-echo against a private Prosody 0.12 with
# mod_http_file_share on loopback (25 MiB limit). A user registered with the two-factor
# code uploads files with slixmpp's XEP-0363 plugin and shares them with alice:
#  - 1 MiB with OOB: the gateway fetches it (streamed GET) and echo passes it straight
#    back (streamed into a new upload): "Got NAME: N bytes, sha256 HEX" matches the local
#    hash, and the link alice sends (OOB = body, receipt request, markable) downloads intact;
#  - a bare link (no OOB) to the upload host, once the gateway has uploaded there: a file too;
#  - 20 MiB with OOB, the gateway's VmRSS sampled every 50 ms: it grows by < 8 MiB;
#  - "send picture" twice: the same URL both times (upload cache), one file in Prosody's
#    store, a PNG, and the caption "A picture from Alice Echo";
#  - "send big 30": over the limit, alice says it could not be sent and names the limit;
#  - XEP-0047 In-Band Bytestream of 100 000 bytes to alice@gw.localhost: "Got file-…" with
#    the right hash and a link that downloads intact; an unregistered stranger is refused;
#  - an OOB link that 404s: an error reply (could not fetch the file), never silence;
#  - exit 0 on SIGTERM.
# Usage: /usr/bin/python3 test_files.py PATH/TO/legate-echo
# One "ok - ..." / "not ok - ..." line per check; exit 0 only if all pass.
# LEGATE_KEEP_TMP=1 keeps the temp dir, LEGATE_E2E_DEBUG=1 traces slixmpp.
import hashlib
import os
import re
import sys
import threading
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import Checks, Scenario, run_test  # noqa: E402
from xmpp_helpers import (MARKERS_NS, OOB_NS, RECEIPTS_NS, body_has, child,  # noqa: E402
                          element, oob_url, send_chat, send_message)

GW = "gw.localhost"
UPLOAD = "upload.localhost"
UPLOAD_NS = "urn:xmpp:http:upload:0"
CODE = "123456"
SIZE_LIMIT = 25 * 1024 * 1024      # http_file_share_size_limit: 26214400
TOTAL_TIMEOUT = 200       # hard cap on the run (cleanup may add up to ~20 s)
WAIT = 15                 # for each expected stanza
BIG_WAIT = 60             # for the 20 MiB round trip
RSS_GROWTH_MAX = 8 * 1024  # KiB
ALICE = f"alice@{GW}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GOT = re.compile(r"^Got (.+): (\d+) bytes, sha256 ([0-9a-f]{64})$")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def fetch(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


class RssSampler(threading.Thread):
    """VmRSS of a process every `interval` s until stop(); .samples in KiB."""

    def __init__(self, pid, interval=0.05):
        super().__init__(daemon=True)
        self.pid, self.interval, self.samples = pid, interval, []
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            try:
                self.samples.append(vm_rss_kib(self.pid))
            except (OSError, RuntimeError):
                return
            self._halt.wait(self.interval)

    def stop(self):
        self._halt.set()
        self.join(5)
        return self.samples


class Run(Scenario):
    """The run, with the client's side of files; stanzas from alice unless said otherwise."""

    def __init__(self, binary, checks):
        super().__init__(binary, checks, users=("tester", "stranger"), wait=WAIT, sender=ALICE,
                         end_check="gateway exits 0 on SIGTERM at the end", prosody_check=True,
                         file_share=UPLOAD, size_limit=SIZE_LIMIT)
        self.origin = f"http://127.0.0.1:{self.http_port}/"

    # --- the client's side of files ---

    def find_upload_service(self):
        """Disco the server's items for the XEP-0363 service and hand it to slixmpp's
        plugin: its own discovery (get_info_from_domain) passes coroutines to
        asyncio.wait, which Python 3.11 refuses."""
        plugin = self.client.xmpp["xep_0363"]
        if plugin.upload_service is not None:
            return plugin.upload_service
        for jid, _node, _name in self.client.disco_items(self.prosody.domain):
            if UPLOAD_NS in self.client.disco_info(jid)["features"]:
                plugin.upload_service = jid
                return jid
        raise RuntimeError(f"no {UPLOAD_NS} service among {self.prosody.domain}'s items")

    def upload(self, name, data, content_type="application/octet-stream"):
        """Upload `data` with slixmpp's XEP-0363 plugin; returns the GET URL."""
        self.find_upload_service()
        path = os.path.join(self.prosody.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        upload = self.client.xmpp["xep_0363"].upload_file(
            path, size=len(data), content_type=content_type, timeout=60)
        return self.client.run(upload, 90)

    def link_from_alice(self, label, name, timeout=WAIT):
        """Alice's link message for a file called `name` (body = URL, OOB); checks it and
        returns the URL, or None."""
        def is_link(m):
            url = oob_url(m)
            return url is not None and url.rsplit("/", 1)[-1] == name and m["type"] != "error"
        msg = self.expect(f"{label}: alice sends a link to {name} (OOB)", is_link,
                          timeout=timeout)
        if msg is None:
            return None
        url = oob_url(msg)
        self.check(f"{label}: the link's body is the OOB URL", msg["body"].strip() == url,
                   f"body {msg['body']!r}, url {url!r}")
        self.check(f"{label}: the link is on the server's http port", url.startswith(self.origin),
                   f"url {url!r}")
        self.check(f"{label}: the link asks for a receipt and is markable",
                   child(msg, RECEIPTS_NS, "request") is not None
                   and child(msg, MARKERS_NS, "markable") is not None,
                   f"got {msg}")
        return url

    def got_from_alice(self, label, name, data, timeout=WAIT):
        """Alice's "Got NAME: N bytes, sha256 HEX"; checks size and hash."""
        def is_got(m):
            g = GOT.match(m["body"] or "")
            return g is not None and (name is None or g.group(1) == name)
        msg = self.expect(f"{label}: alice answers 'Got {name or '…'}: …'", is_got,
                          timeout=timeout)
        if msg is None:
            return None
        g = GOT.match(msg["body"])
        self.check(f"{label}: the bridge got {len(data)} bytes with our SHA-256",
                   int(g.group(2)) == len(data) and g.group(3) == sha256(data),
                   f"got {msg['body']!r}, want {len(data)} bytes, sha256 {sha256(data)}")
        return g.group(1)

    def download_matches(self, label, url, data):
        body = self.attempt(f"{label}: alice's link downloads", fetch, url)
        if body is not None:
            self.check(f"{label}: downloaded file is intact ({len(data)} bytes, same SHA-256)",
                       len(body) == len(data) and sha256(body) == sha256(data),
                       f"{len(body)} bytes, sha256 {sha256(body)}")

    def round_trip(self, label, name, data, oob=True, timeout=WAIT):
        """Upload, share with alice (OOB or bare link), check the answer and the link back.
        Returns the URL we shared, or None."""
        url = self.attempt(f"{label}: client uploads {name} ({len(data)} bytes, XEP-0363)",
                           self.upload, name, data)
        if url is None:
            return None
        self.check(f"{label}: the upload URL is on the server's http port",
                   url.startswith(self.origin), f"url {url!r}")
        extra = [element(OOB_NS, "x", children=[element(OOB_NS, "url", url)])] if oob else []
        send_message(self.client, ALICE, url, f"{label}-share", extra)
        back = self.link_from_alice(label, name, timeout)
        self.got_from_alice(label, name, data, timeout)
        if back is not None:
            self.check(f"{label}: alice's link is a new upload, not ours", back != url,
                       f"both {url!r}")
            self.download_matches(label, back, data)
        return url


def register(run):
    # No privilege: alice asks to subscribe; slixmpp approves and asks back.
    return run.register_two_factor(CODE) and run.logged_in() and bool(
        run.expect("alice is online (available presence)", lambda p: p["type"] == "available",
                   kind="presence", timeout=20))


def big_round_trip(run):
    """20 MiB with OOB while the gateway's RSS is sampled."""
    label, name = "20 MiB", "random-20MiB.bin"
    data = os.urandom(20 * 1024 * 1024)
    url = run.attempt(f"{label}: client uploads {name} ({len(data)} bytes, XEP-0363)",
                      run.upload, name, data)
    if url is None:
        return
    pid = run.gateway.proc.pid
    time.sleep(0.3)   # let the upload's aftermath settle in the gateway (nothing, normally)
    before = vm_rss_kib(pid)
    sampler = RssSampler(pid, interval=0.005)   # ejabberd serves 20 MiB in ~0.1 s
    sampler.start()
    t0 = time.monotonic()
    send_message(run.client, ALICE, url, "big-share",
                 [element(OOB_NS, "x", children=[element(OOB_NS, "url", url)])])
    back = run.link_from_alice(label, name, BIG_WAIT)
    run.got_from_alice(label, name, data, BIG_WAIT)
    took = time.monotonic() - t0
    samples = sampler.stop()
    peak = max(samples + [before])
    growth = peak - before
    print(f"# {label}: gateway VmRSS before {before} KiB, peak {peak} KiB, growth "
          f"{growth} KiB ({len(samples)} samples), round trip {took:.1f} s", flush=True)
    run.check(f"{label}: gateway RSS grew by < {RSS_GROWTH_MAX // 1024} MiB during the transfer",
              len(samples) >= 5 and growth < RSS_GROWTH_MAX,
              f"before {before} KiB, peak {peak} KiB, growth {growth} KiB, "
              f"{len(samples)} samples")
    if back is not None:
        run.download_matches(label, back, data)


def stored_files(server):
    """SHA-256 of every file in the upload service's store: mod_http_file_share's .bin files
    under Prosody's data dir, or every file under ejabberd's mod_http_upload docroot."""
    out = []
    store = getattr(server, "upload_store", None)
    for root, _dirs, files in os.walk(store or os.path.join(server.tmp, "data")):
        if store is None and "http_file_share" not in root:
            continue
        for name in files:
            if store or name.endswith(".bin"):
                with open(os.path.join(root, name), "rb") as f:
                    out.append(sha256(f.read()))
    return out


def picture(run):
    urls = []
    for n in (1, 2):
        label = f"picture #{n}"
        send_chat(run.client, ALICE, "send picture")
        run.expect(f"{label}: echo of 'send picture'",
                   lambda m: re.match(r"^Echo \(m\d+\): send picture$", m["body"] or ""))
        urls.append(run.link_from_alice(label, "echo-picture.png"))
        run.expect(f"{label}: caption 'A picture from Alice Echo'",
                   lambda m: m["body"] == "A picture from Alice Echo")
    if None in urls:
        return
    run.check("picture: the second link is the same URL (upload cache, not uploaded again)",
              urls[0] == urls[1], f"{urls[0]!r} then {urls[1]!r}")
    png = run.attempt("picture: the link downloads", fetch, urls[0])
    if png is None:
        return
    run.check("picture: it is a PNG (signature)", png[:8] == PNG_SIGNATURE,
              f"starts {png[:8]!r}")
    copies = stored_files(run.prosody).count(sha256(png))
    run.check("picture: the server's upload store holds it once", copies == 1,
              f"{copies} copies")


def too_big(run):
    send_chat(run.client, ALICE, "send big 30")
    msg = run.expect("send big 30: alice says it could not be sent",
                     body_has("could not be sent"))
    if msg is not None:
        want = "[big-30MB.bin (30 MB) could not be sent: the server accepts files up to 25 MB]"
        run.check("…naming the file, its size and the 25 MB limit", msg["body"] == want,
                  f"got {msg['body']!r}, want {want!r}")
    stray = run.box.find("message", lambda m: (oob_url(m) or "").endswith("/big-30MB.bin"))
    run.check("…and no link to it", stray is None, f"got {stray}")


async def send_in_band(client, to, data, sid):
    stream = await client.xmpp["xep_0047"].open_stream(to, block_size=4096, sid=sid,
                                                       timeout=10)
    await stream.sendall(data, timeout=10)
    await stream.close(timeout=10)
    return stream


def in_band(run, stranger):
    label = "IBB"
    data = os.urandom(100_000)
    sid = str(uuid.uuid4())
    name = "file-" + sid[:16]
    t0 = time.monotonic()
    if run.attempt(f"{label}: stream of {len(data)} bytes to {ALICE} accepted and sent",
                   run.client.run, send_in_band(run.client, ALICE, data, sid), 60) is None:
        return
    print(f"# {label}: {len(data)} bytes sent in {time.monotonic() - t0:.1f} s", flush=True)
    back = run.link_from_alice(label, name)
    run.got_from_alice(label, name, data)
    if back is not None:
        run.download_matches(label, back, data)
    if stranger is None:
        return
    try:
        stranger.run(send_in_band(stranger, ALICE, b"let me in" * 100, str(uuid.uuid4())), 20)
        run.check("IBB: an unregistered stranger's stream is refused", False,
                  "the stream was accepted")
    except Exception as e:  # noqa: BLE001
        condition = getattr(e, "iq", None) is not None and e.iq["error"]["condition"]
        run.check("IBB: an unregistered stranger's stream is refused (not-acceptable)",
                  condition == "not-acceptable", harness.describe(e))


def not_found(run):
    url = f"{run.origin}file_share/nope/x.bin"
    send_message(run.client, ALICE, url, "oob-404",
                 [element(OOB_NS, "x", children=[element(OOB_NS, "url", url)])])
    err = run.expect("404 link: alice answers with an error",
                     lambda m: m["type"] == "error" and m["id"] == "oob-404")
    if err is not None:
        text = err["error"]["text"] or ""
        run.check("…saying it could not fetch the file", "could not fetch the file" in text,
                  f"{err['error']['type']}/{err['error']['condition']} {text!r}")


def log_lines(run):
    log = run.gateway_log()
    run.check("gateway log: 'file to alice@gw.localhost passed on'",
              f"file to {ALICE} passed on" in log, "no such line")
    run.check("gateway log: 'in-band file to alice@gw.localhost passed on (100000 bytes)'",
              f"in-band file to {ALICE} passed on (100000 bytes)" in log, "no such line")
    run.check("gateway log: 'file from alice@gw.localhost uploaded (20971520 bytes)'",
              f"file from {ALICE} uploaded (20971520 bytes)" in log, "no such line")


def files(run):
    run.http_port_open()
    if not (run.connect("tester", plugins=["xep_0363", "xep_0047"]) and run.start_gateway(
            "--echo.registration", "two-factor", "--echo.code", CODE) and register(run)):
        return
    shared = run.round_trip("1 MiB", "random-1MiB.bin", os.urandom(1024 * 1024))
    if shared is not None:  # the gateway has uploaded to this host by now
        run.round_trip("bare link", "bare-300KB.bin", os.urandom(300_000), oob=False)
    big_round_trip(run)
    picture(run)
    too_big(run)
    in_band(run, run.connect("stranger", plugins=["xep_0047"]))
    not_found(run)
    log_lines(run)


def main(binary):
    checks = Checks()
    with Run(binary, checks) as run:
        if run.started:
            files(run)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
