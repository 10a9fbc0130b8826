#!/usr/bin/python3
# End-to-end test of the gateway's commands with legate-echo (two-factor registration)
# against a private Prosody 0.12: the XEP-0050 command list by access (stranger, user,
# admin); `register` as ad-hoc command (form, two-factor code form, note; welcome and the
# contacts' subscription requests); `contacts` and `find` as result tables, XEP-0055 and
# XEP-0100 giving the same; `preferences` (react off: echo without 👍, on again: 👍, off
# spelled 'false' as XEP-0004 allows: no 👍);
# session ids that are unknown, foreign or canceled; `unregister` with its confirmation;
# the same commands in chat (register with the code, help, contacts as a text table,
# abort); item-not-found and forbidden; exit 0 on SIGTERM.
# Usage: /usr/bin/python3 test_commands.py PATH/TO/legate-echo
# One "ok - ..." / "not ok - ..." line per check; exit 0 only if all pass.
# LEGATE_KEEP_TMP=1 keeps the temp dir, LEGATE_E2E_DEBUG=1 traces slixmpp.
import asyncio
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from scenario import CONNECTED, Checks, Scenario, run_test  # noqa: E402
from adhoc_helpers import (column, command_items, gateway_get, gateway_prompt,  # noqa: E402
                           refusal, run_command, search_get, search_set)
from xmpp_helpers import (body_starts, reactions_of, register_get, send_chat,  # noqa: E402
                          send_message)

GW = "gw.localhost"
CODE = "123456"
TOTAL_TIMEOUT = 120       # hard cap on the run (cleanup may add up to ~20 s)
WAIT = 10                 # for each expected stanza or reply
USERS = ("admin", "dave", "erin", "stranger")
CONTACTS = {f"{u}@{GW}": f"{u.capitalize()} Echo" for u in ("alice", "bob", "carol")}
ALICE = f"alice@{GW}"
ANYONE = {"register", "info"}
USER = ANYONE | {"unregister", "preferences", "re-login", "contacts", "find", "groups",
               "leave-group"}
ADMIN = ANYONE | {"list-users", "delete-user", "loglevel"}
WELCOME = "Welcome to Legate Echo!"


class Run(Scenario):
    """The run, with its users' commands; stanzas from the gateway unless said otherwise."""

    def __init__(self, binary, checks):
        super().__init__(binary, checks, users=USERS, sender=GW, prosody_check=True)

    def command(self, user, name, node, fields=None, sessionid=None, action="execute",
                status=None):
        """A check that a command step is answered (with `status` if given); the reply."""
        try:
            reply = run_command(self.clients[user], GW, node, fields, sessionid, action)
        except Exception as e:  # noqa: BLE001
            self.check(name, False, harness.describe(e))
            return None
        ok = status is None or reply.status == status
        self.check(f"{name} ({status})" if status else name, ok, f"got {reply}")
        return reply if ok else None

    def refused(self, name, condition, app, fn, *args):
        why = refusal(condition, app, fn, *args)
        return self.check(name, not why, why)

    def items_are(self, name, user, expected):
        try:
            got = sorted(command_items(self.clients[user], GW))
        except Exception as e:  # noqa: BLE001
            got = harness.describe(e)
        self.check(f"{name}: command list is {', '.join(sorted(expected))}",
                   got == sorted(expected), f"got {got}")

    def registered(self, label, user, expected):
        info = self.attempt(f"{label}: XEP-0077 get answered", register_get,
                            self.clients[user], GW)
        if info is not None:
            self.check(f"{label}: {'' if expected else 'no '}<registered/>",
                       info["registered"] == expected, f"registered={info['registered']}")
        return info

    def sleep(self, seconds):
        self.clients["admin"].run(asyncio.sleep(seconds), seconds + 1)


def discovery(run):
    run.items_are("stranger (unregistered)", "stranger", ANYONE)
    run.items_are("admin (not a user)", "admin", ADMIN)
    info = run.attempt("disco#info of node 'register'", run.clients["stranger"].disco_info,
                       GW, "register")
    if info is not None:
        run.check("node 'register': automation/command-node 'Register', commands + x:data",
                  info["identities"] == [("automation", "command-node", "Register")] and {
                      "http://jabber.org/protocol/commands", "jabber:x:data"}
                  <= info["features"], f"got {info}")


def errors(run):
    stranger = run.clients["stranger"]
    run.refused("unknown node: item-not-found", "item-not-found", None, run_command,
                stranger, GW, "no-such-command")
    run.refused("stranger runs 'contacts': forbidden", "forbidden", None, run_command,
                stranger, GW, "contacts")
    run.refused("stranger runs 'list-users': forbidden", "forbidden", None, run_command,
                stranger, GW, "list-users")


def adhoc_register(run):
    first = run.command("dave", "ad-hoc register: execute", "register", status="executing")
    if first is None:
        return False
    run.check("ad-hoc register: form with username (text-single) and password "
              "(text-private), both required",
              first.form and first.form["type"] == "form"
              and [(v, f["type"], f["required"]) for v, f in first.fields.items()]
              == [("username", "text-single", True), ("password", "text-private", True)],
              f"got {first}")
    run.check("ad-hoc register: a session id and the 'complete' action",
              bool(first.sessionid) and "complete" in first.actions, f"got {first}")
    sid = first.sessionid
    code = run.command("dave", "ad-hoc register: form submitted", "register",
                       {"username": "dave-echo", "password": "pw"}, sid, "complete",
                       status="executing")
    if code is None:
        return False
    run.check("ad-hoc register: next a 'code' form in the same session",
              code.sessionid == sid and "code" in code.fields,
              f"got {code}")
    done = run.command("dave", "ad-hoc register: code submitted", "register",
                       {"code": CODE}, sid, "complete", status="completed")
    if done is None:
        return False
    run.check("ad-hoc register: note 'Registration complete.'",
              done.notes == [("info", "Registration complete.")], f"got {done}")
    run.registered("ad-hoc register", "dave", True)
    run.expect("ad-hoc register: subscribe presence from the gateway",
               lambda p: p["type"] == "subscribe", kind="presence", user="dave")
    run.expect("ad-hoc register: welcome message", body_starts(WELCOME), user="dave")
    run.expect("ad-hoc register: admin notified",
               lambda m: m["body"] == f"New user registered: {run.jid('dave')}", user="admin")
    for jid, name in CONTACTS.items():
        run.expect(f"ad-hoc register: subscription request from {jid}",
                   lambda p: p["type"] == "subscribe", frm=jid, kind="presence", user="dave")
    return logged_in(run, "dave")


def user_commands(run):
    run.items_are("dave (registered, logged in)", "dave", USER)
    users = run.command("admin", "admin runs list-users", "list-users", status="completed")
    if users is not None:
        rows = dict(zip(column(users.form, "jid"), column(users.form, "session")))
        run.check("list-users: dave@localhost, logged in",
                  rows.get(run.jid("dave")) == "logged in", f"got {users}")
    table = run.command("dave", "contacts: executed", "contacts", status="completed")
    if table is not None and run.check("contacts: a result form", table.form and table.form[
            "type"] == "result", f"got {table}"):
        run.check("contacts: reported columns name, jid",
                  table.form["reported"] == ["name", "jid"], f"got {table.form['reported']}")
        got = dict(zip(column(table.form, "jid"), column(table.form, "name")))
        run.check("contacts: rows are alice, bob and carol with their names",
                  got == CONTACTS, f"got {got}")


def search(run):
    dave = run.clients["dave"]
    want = [{"name": "Alice Echo", "jid": ALICE}]
    for query, rows, note in (("alice", want, ""), ("ALIce", want, ""), ("zed", [], "Nothing found.")):
        form = run.command("dave", f"find ({query}): execute", "find", status="executing")
        if form is not None and run.check(f"find ({query}): a form with the field 'name'",
                                          list(form.fields) == ["name"], f"got {form}"):
            found = run.command("dave", f"find name={query}", "find", {"name": query},
                                form.sessionid, "complete", status="completed")
            if found is not None:
                run.check(f"find name={query}: " + (f"note {note!r}" if note else
                                                    "one row, Alice Echo <alice@gw.localhost>"),
                          (found.form or {}).get("items", []) == rows and found.note == note,
                          f"got {found}")
    got = run.attempt("XEP-0055 get", search_get, dave, GW)
    if got is not None:
        run.check("XEP-0055 get: instructions and the field 'name'",
                  got["instructions"] and got["form"] and "name" in got["form"]["fields"],
                  f"got {got}")
    result = run.attempt("XEP-0055 set name=alice", search_set, dave, GW, {"name": "alice"})
    if result is not None:
        run.check("XEP-0055 set: the same row as the ad-hoc find", result["items"] == want,
                  f"got {result}")
    got = run.attempt("XEP-0100 get", gateway_get, dave, GW)
    if got is not None:
        run.check("XEP-0100 get: desc and prompt", got["desc"] and got["prompt"], f"got {got}")
    jid = run.attempt("XEP-0100 set prompt 555123", gateway_prompt, dave, GW, "555123")
    run.check("XEP-0100: a JID 555123@gw.localhost", jid == f"555123@{GW}", f"got {jid!r}")


def set_react(run, value, label):
    form = run.command("dave", f"preferences ({label}): execute", "preferences",
                       status="executing")
    if form is None:
        return None
    shown = form.fields.get("react")
    saved = run.command("dave", f"preferences ({label}): react={value} submitted",
                        "preferences", {"react": value}, form.sessionid, "complete",
                        status="completed")
    if saved is not None:
        run.check(f"preferences ({label}): 'Preferences saved.'",
                  saved.note == "Preferences saved.", f"got {saved}")
    return shown


def echo_reacts(run, label, n):
    """Send a message to alice; (echo seen?, 👍 reaction to it seen?)."""
    mid = f"prefs-{n}"
    send_message(run.clients["dave"], ALICE, f"message {n}", mid)
    echo = run.expect(f"{label}: alice echoes", body_starts("Echo ("), ALICE, user="dave")
    run.sleep(1.0)   # the reaction, if any, follows the echo at once
    box = run.inbox["dave"]
    react = box.find("message", lambda m: reactions_of(m) is not None
                     and reactions_of(m)[0] == mid)
    return echo is not None, react is not None


def preferences(run):
    shown = set_react(run, "0", "off")
    if shown is not None:
        run.check("preferences: field react is a boolean, '1' by default",
                  shown["type"] == "boolean" and shown["values"] == ["1"], f"got {shown}")
    echoed, reacted = echo_reacts(run, "react=0", 1)
    run.check("react=0: no 👍 reaction", echoed and not reacted, "a 👍 came")
    shown = set_react(run, "1", "on")
    run.check("preferences: the form shows the stored react=0",
              shown is not None and shown["values"] == ["0"], f"got {shown}")
    echoed, reacted = echo_reacts(run, "react=1", 2)
    run.check("react=1: the 👍 reaction is back", echoed and reacted, "no 👍 came")
    # XEP-0004 §3.3: 'false' is a boolean as valid as '0'.
    set_react(run, "false", "off, spelled 'false'")
    echoed, reacted = echo_reacts(run, "react=false", 3)
    run.check("react=false: no 👍 reaction", echoed and not reacted, "a 👍 came")


def sessions(run):
    form = run.command("dave", "sessions: register executed", "register", status="executing")
    if form is None:
        return

    def refused(label, user, sessionid):
        run.refused(f"{label} session id: bad-request <bad-sessionid/>", "bad-request",
                    "bad-sessionid", run_command, run.clients[user], GW, "register",
                    {"username": "x", "password": "y"}, sessionid, "complete")
    refused("an unknown", "dave", "no-such-session")
    refused("another user's", "stranger", form.sessionid)
    run.command("dave", "sessions: cancel", "register", None, form.sessionid, "cancel",
                status="canceled")
    refused("a canceled", "dave", form.sessionid)


def adhoc_unregister(run):
    ask = run.command("dave", "ad-hoc unregister: execute", "unregister", status="executing")
    if ask is None:
        return
    confirm = ask.fields.get("confirm")
    run.check("ad-hoc unregister: a question and a required boolean 'confirm'",
              ask.form["fixed"] and confirm and confirm["type"] == "boolean"
              and confirm["required"], f"got {ask}")
    done = run.command("dave", "ad-hoc unregister: confirm=1 submitted", "unregister",
                       {"confirm": "1"}, ask.sessionid, "complete", status="completed")
    if done is not None:
        run.check("ad-hoc unregister: note 'You are unregistered.'",
                  done.note == "You are unregistered.", f"got {done}")
    run.registered("ad-hoc unregister", "dave", False)
    run.expect("ad-hoc unregister: unsubscribed presence from the gateway",
               lambda p: p["type"] == "unsubscribed", kind="presence", user="dave")
    run.items_are("dave (unregistered again)", "dave", ANYONE)


def chat_step(run, say, name, pred):
    """Say `say` (if not None) to the gateway; a check that erin gets a reply matching pred."""
    if say is not None:
        send_chat(run.clients["erin"], GW, say)
    return run.expect(name, pred, user="erin")


def logged_in(run, user):
    return run.logged_in(f"{user}'s session logged in ('{CONNECTED}')", user)


def chat_register(run):
    steps = [("register", "the form's title", "Legate Echo registration"),
             (None, "asks 'User name'", "User name"),
             ("erin-echo", "asks 'Password (private)'", "Password (private)"),
             ("erin-pw", "the code form's title", "Two-factor code"),
             (None, "asks 'Code'", "Code"),
             (CODE, "'Registration complete.'", "Registration complete.")]
    for say, name, text in steps:
        if not chat_step(run, say, f"chat register: {name}", body_starts(text)):
            return False
    run.expect("chat register: welcome message", body_starts(WELCOME), user="erin")
    run.registered("chat register", "erin", True)
    return logged_in(run, "erin")


def chat_commands(run):
    got = chat_step(run, "help", "chat help: answered", body_starts("Commands:"))
    if got is not None:
        keywords = {line.split(" — ")[0] for line in got["body"].splitlines()[1:-1]}
        run.check("chat help: the commands of a logged-in user", keywords == USER,
                  f"got {got['body']!r}")
    got = chat_step(run, "contacts", "chat contacts: answered", body_starts("Your contacts"))
    if got is not None:
        lines = got["body"].splitlines()
        rows = lines[4:-1]
        cols = {line.index(jid) for line in rows for jid in CONTACTS if jid in line}
        run.check("chat contacts: a ``` block, header Name/JID, rule, 3 aligned rows",
                  len(lines) == 8 and lines[1] == lines[-1] == "```"
                  and re.fullmatch(r"Name +JID", lines[2]) and set(lines[3]) <= {"-", " "}
                  and cols == {lines[2].index("JID")}
                  and sorted(r.split("  ")[0] for r in rows) == sorted(CONTACTS.values()),
                  f"got {got['body']!r}")
    if not chat_step(run, "register", "chat abort: register again, with the 'abort' hint",
                     lambda m: m["body"].startswith("Legate Echo registration")
                     and "(Send 'abort' to cancel.)" in m["body"]):
        return
    run.expect("chat abort: 'User name' shows the current value",
               lambda m: m["body"].startswith("User name") and "erin-echo" in m["body"],
               user="erin")
    chat_step(run, "erin-renamed", "chat abort: asks the password", body_starts("Password"))
    chat_step(run, "abort", "chat abort: 'Cancelled.'", lambda m: m["body"] == "Cancelled.")
    info = run.registered("chat abort", "erin", True)
    if info is not None:
        run.check("chat abort: the user name is unchanged",
                  info["values"].get("username") == "erin-echo", f"got {info['values']}")
    chat_step(run, "help", "chat abort: the next line is a command again",
              body_starts("Commands:"))


def commands(run):
    for user in USERS:
        run.connect(user, plugins=["xep_0050"])
    if not (run.checks.ok and run.start_gateway("--echo.registration", "two-factor",
                                                "--echo.code", CODE,
                                                "--gateway.admins", run.jid("admin"))):
        return
    discovery(run)
    errors(run)
    if adhoc_register(run):
        user_commands(run)
        search(run)
        preferences(run)
        sessions(run)
        adhoc_unregister(run)
    if chat_register(run):
        chat_commands(run)


def main(binary):
    checks = Checks()
    with Run(binary, checks) as run:
        if run.started:
            commands(run)
    return checks.summary()


if __name__ == "__main__":
    run_test(main, TOTAL_TIMEOUT)
