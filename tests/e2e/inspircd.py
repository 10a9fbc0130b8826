# A private InspIRCd 3 with Atheme 7 services linked to it (Debian 12's inspircd and
# atheme-services), for the end-to-end tests of IRC bridges that need what ngIRCd lacks:
# SASL (PLAIN, checked by Atheme's SaslServ against accounts registered with NickServ). Own
# configs in a temp dir, clients and the server link on free loopback ports only, no DNS or
# ident lookups, no flood limits (but on .strict_port: 10 lines, then 1 a second); both run in the foreground, stopped by PID; the system's
# /etc/inspircd and /etc/atheme are never read. The interface of ngircd.Ngircd: .host, .port,
# start(), stop(), close(), .log_path (so a PrivateServer can adopt() it).
# Usage: with Inspircd() as irc: irc.start(); IrcPeer(run, irc.host, irc.port, "alice")...
import os
import sys
import tempfile

from harness import (GiveUp, Restartable, _spawn, free_port, stop_process, tail,
                     wait_listening, wait_until)

INSPIRCD = "/usr/sbin/inspircd"
ATHEME = "/usr/bin/atheme-services"
LINK_PASSWORD = "legate-e2e-link"

INSPIRCD_CONFIG = """<config format="xml">
<server name="{server_name}" description="Legate e2e" network="LegateNet">
<admin name="Legate" nick="legate" email="nobody@{server_name}">
<bind address="127.0.0.1" port="{port}" type="clients">
<bind address="127.0.0.1" port="{link_port}" type="servers">
<bind address="127.0.0.1" port="{strict_port}" type="clients">
<power restartpass="{tmp}-restart" diepass="{tmp}-die">
<connect name="strict" port="{strict_port}" allow="*" timeout="60" threshold="10"
         commandrate="1000" pingfreq="120" sendq="1048576" recvq="65536" localmax="1000"
         globalmax="1000" fakelag="off" resolvehostnames="no" useident="no">
<connect name="main" allow="*" timeout="60" threshold="100000" pingfreq="120"
         sendq="1048576" recvq="65536" localmax="1000" globalmax="1000" fakelag="off"
         resolvehostnames="no" useident="no">
<pid file="{tmp}/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="{tmp}/inspircd.log">
<files motd="{tmp}/motd.txt">
<dns server="127.0.0.1" timeout="1">
<module name="spanningtree">
<module name="services_account">
<module name="sasl">
<module name="cap">
<sasl target="{services}" requiressl="no">
<link name="{services}" ipaddr="127.0.0.1" port="{link_port}" allowmask="127.0.0.0/8"
      sendpass="{password}" recvpass="{password}">
<uline server="{services}" silent="yes">
"""

ATHEME_CONFIG = """loadmodule "modules/protocol/inspircd";
loadmodule "modules/backend/opensex";
loadmodule "modules/crypto/pbkdf2v2";
loadmodule "modules/nickserv/main";
loadmodule "modules/nickserv/register";
loadmodule "modules/nickserv/identify";
loadmodule "modules/saslserv/main";
loadmodule "modules/saslserv/plain";
pbkdf2v2 {{ }};
serverinfo {{
  name = "{services}"; desc = "Legate e2e services"; numeric = "00A"; recontime = 1;
  netname = "LegateNet"; hidehostsuffix = "users.test"; adminname = "Legate";
  adminemail = "nobody@{server_name}"; registeremail = "nobody@{server_name}";
  mta = "/bin/true"; loglevel = {{ error; info; admin; network; }};
  maxlogins = 5; maxusers = 5; mdlimit = 30; emaillimit = 10; emailtime = 300;
  auth = none; casemapping = rfc1459;
}};
uplink "{server_name}" {{
  host = "127.0.0.1"; port = {link_port};
  send_password = "{password}"; receive_password = "{password}";
}};
nickserv {{ nick = "NickServ"; user = "NickServ"; host = "{services}";
  real = "Nickname Services"; maxnicks = 5; expire = 30; }};
saslserv {{ nick = "SaslServ"; user = "SaslServ"; host = "{services}";
  real = "SASL Authentication Agent"; }};
general {{ permissive_mode; helpurl = ""; maxfd = 1024; flood_msgs = 0; flood_time = 10;
  ratelimit_uses = 0; ratelimit_period = 0; kline_time = 7; commit_interval = 5;
  default_clone_allowed = 50; default_clone_warn = 40; clone_time = 0;
  uplink_sendq_limit = 1048576; language = "en"; }};
"""


class Inspircd(Restartable):
    """InspIRCd on 127.0.0.1:.port with Atheme linked on .link_port. As a context manager it
    always stops both and removes the temp dir (kept when LEGATE_KEEP_TMP is set); on an
    exception it prints the logs' tails. start() returns once Atheme has finished its burst
    (SaslServ answers from then on)."""
    name = "inspircd"
    host = "127.0.0.1"

    def __init__(self, server_name="irc.localhost", services="services.localhost",
                 start_timeout=15.0):
        self.tmp = tempfile.mkdtemp(prefix="legate-e2e-inspircd-")
        self.server_name, self.services, self.start_timeout = server_name, services, start_timeout
        # strict_port: InspIRCd's own flood limits (10 lines, then 1 a second; beyond them it
        # closes the connection with "Excess Flood"); .port has none.
        ports = [free_port() for _ in range(3)]
        while 6667 in ports or len(set(ports)) < 3:
            ports = [free_port() for _ in range(3)]
        self.port, self.link_port, self.strict_port = ports
        self.log_path = os.path.join(self.tmp, "inspircd.log")
        self.console_path = os.path.join(self.tmp, "inspircd.console")
        self.atheme_log = os.path.join(self.tmp, "atheme.log")
        self.proc = self.atheme = None
        values = dict(server_name=server_name, services=services, tmp=self.tmp,
                      port=self.port, link_port=self.link_port, strict_port=self.strict_port,
                      password=LINK_PASSWORD)
        with open(os.path.join(self.tmp, "inspircd.conf"), "w") as f:
            f.write(INSPIRCD_CONFIG.format(**values))
        with open(os.path.join(self.tmp, "atheme.conf"), "w") as f:
            f.write(ATHEME_CONFIG.format(**values))
        with open(os.path.join(self.tmp, "motd.txt"), "w") as f:
            f.write("Legate end-to-end test server\n")

    def start(self):
        if self.running:
            raise RuntimeError("inspircd already running")
        self.proc = _spawn([INSPIRCD, f"--config={self.tmp}/inspircd.conf", "--nofork",
                            "--runasroot"], self.console_path, self.tmp)
        try:
            wait_listening(self.proc, "inspircd", self.port, self.console_path,
                           self.start_timeout)
            self.atheme = _spawn([ATHEME, "-n", "-c", f"{self.tmp}/atheme.conf", "-D", self.tmp,
                                  "-l", self.atheme_log, "-p", f"{self.tmp}/atheme.pid"],
                                 os.path.join(self.tmp, "atheme.console"), self.tmp)

            def linked():
                if self.atheme.poll() is not None:
                    raise GiveUp(f"atheme exited with {self.atheme.returncode}\n"
                                 f"{tail(os.path.join(self.tmp, 'atheme.console'))}")
                return os.path.exists(self.atheme_log) and \
                    "finished synching with uplink" in open(self.atheme_log).read()
            wait_until(linked, self.start_timeout, 0.1, "atheme linked to inspircd")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout=10.0):
        """Atheme (SIGTERM by PID, then SIGKILL), then InspIRCd; InspIRCd's exit code."""
        if self.atheme is not None and self.atheme.poll() is None:
            self.atheme.terminate()
            try:
                self.atheme.wait(timeout)
            except Exception:  # noqa: BLE001 - it must go whatever happened
                self.atheme.kill()
                self.atheme.wait()
        return stop_process(self.proc, "inspircd", self.port, self.host, timeout)

    def dump_logs(self, lines=60, out=sys.stderr):
        print(f"# ---- inspircd dir: {self.tmp}", file=out)
        for label, path in (("inspircd console", self.console_path),
                            ("inspircd log", self.log_path), ("atheme log", self.atheme_log)):
            if os.path.exists(path) and os.path.getsize(path):
                print(f"# ---- tail of {label} ({path}):\n{tail(path, lines)}", file=out)

    def close(self, failed=False):
        try:
            self.stop()
        finally:
            self.cleanup(failed)
