// ScriptedSession implementation.
#include "tests/support/scripted_session.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <thread>

#include "legacy/contact.hpp"
#include "legacy/roster.hpp"

namespace legate::test {
namespace {

class ScriptedRoster : public Roster {
 public:
  ScriptedRoster(Session& session, std::shared_ptr<SessionScript> script)
      : Roster(session), script_(std::move(script)) {}

  asio::awaitable<std::vector<LegacyId>> fill() override {
    if (!script_->fill_failure.empty()) throw std::runtime_error(script_->fill_failure);
    std::vector<LegacyId> ids;
    for (const ScriptedContact& scripted : script_->contacts) {
      Contact& contact = by_legacy_id(scripted.id);
      contact.set_name(scripted.name);
      contact.set_nick(scripted.nick);
      if (scripted.show) {
        switch (*scripted.show) {
          case PresenceShow::online:
            contact.online(scripted.status);
            break;
          case PresenceShow::away:
            contact.away(scripted.status);
            break;
          case PresenceShow::busy:
            contact.busy(scripted.status);
            break;
          case PresenceShow::extended_away:
            contact.extended_away(scripted.status);
            break;
          case PresenceShow::offline:
            contact.offline(scripted.status);
            break;
        }
      }
      ids.push_back(scripted.id);
    }
    co_return ids;
  }

 private:
  std::shared_ptr<SessionScript> script_;
};

SessionCall call_of(std::string hook, const Contact* to = nullptr, LegacyId id = {}) {
  SessionCall call;
  call.hook = std::move(hook);
  if (to) call.contact = to->legacy_id();
  call.legacy_id = std::move(id);
  return call;
}

}  // namespace

ScriptedSession& SessionScript::session(std::string_view user) {
  auto it = live.find(Jid(user).bare_str());
  REQUIRE_MESSAGE(it != live.end(), "no live session for " << user);
  return *it->second;
}

std::vector<SessionCall> SessionScript::snapshot(ComponentHarness& h) {
  std::vector<SessionCall> copy;
  h.on_component_thread([&] { copy = calls; });
  return copy;
}

std::size_t SessionScript::count(ComponentHarness& h, std::string_view hook) {
  std::size_t n = 0;
  for (const auto& call : snapshot(h)) n += call.hook == hook ? 1 : 0;
  return n;
}

SessionCall SessionScript::wait_for(ComponentHarness& h, std::string_view hook, std::size_t count,
                                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::size_t seen = 0;
    for (const auto& call : snapshot(h)) {
      if (call.hook == hook && ++seen == count) return call;
    }
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                    "hook " << hook << " was called " << seen << " times, not " << count);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::future<FileSendOutcome> SessionScript::send_file(ComponentHarness& h, std::string_view user,
                                                      const LegacyId& contact, OutgoingFile file) {
  auto promise = std::make_shared<std::promise<FileSendOutcome>>();
  std::future<FileSendOutcome> future = promise->get_future();
  h.on_component_thread([&] {
    Contact& from = session(user).roster().by_legacy_id(contact);
    asio::co_spawn(
        h.io(),
        [&from, file = std::move(file), promise]() mutable -> asio::awaitable<void> {
          FileSendOutcome outcome;
          try {
            outcome.id = co_await from.send_file(std::move(file));
          } catch (const StanzaError& e) {
            outcome.error = e.condition();
            outcome.what = e.what();
          } catch (const std::exception& e) {
            outcome.what = e.what();
          }
          promise->set_value(std::move(outcome));
        },
        asio::detached);
  });
  return future;
}

ScriptedSession::ScriptedSession(SessionHost& host, User user,
                                 std::shared_ptr<SessionScript> script)
    : Session(host, std::move(user)), script_(std::move(script)) {
  script_->live[user_jid().bare_str()] = this;
}

ScriptedSession::~ScriptedSession() {
  auto it = script_->live.find(user_jid().bare_str());
  if (it != script_->live.end() && it->second == this) script_->live.erase(it);
}

bool ScriptedSession::record(SessionCall call) {
  call.user = user_jid().bare_str();
  const std::string hook = call.hook;
  script_->calls.push_back(std::move(call));
  if (auto it = script_->errors.find(hook); it != script_->errors.end())
    throw StanzaError(it->second, "scripted refusal of " + hook);
  return script_->unimplemented.count(hook) > 0;
}

asio::awaitable<std::string> ScriptedSession::login() {
  SessionCall call = call_of("login");
  call.text = to_json_text(user().legacy_data);  // what the login would use
  record(std::move(call));
  struct InFlight {
    SessionScript& script;
    explicit InFlight(SessionScript& s) : script(s) {
      script.max_logins_in_flight =
          std::max(script.max_logins_in_flight, ++script.logins_in_flight);
    }
    ~InFlight() { --script.logins_in_flight; }
  } in_flight(*script_);
  if (script_->login_delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor, script_->login_delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
  if (script_->login_failures > 0) {
    --script_->login_failures;
    throw std::runtime_error(script_->failure_text);
  }
  co_return script_->login_text;
}

asio::awaitable<void> ScriptedSession::logout() {
  record(call_of("logout"));
  co_return;
}

std::unique_ptr<Roster> ScriptedSession::make_roster() {
  return std::make_unique<ScriptedRoster>(*this, script_);
}

namespace {

class ScriptedRoom : public Room {
 public:
  ScriptedRoom(ScriptedSession& session, RoomRecord record)
      : Room(session, std::move(record)), scripted_(session) {}

  asio::awaitable<void> update_info() override {
    set_name("Room " + legacy_id());
    set_kind(RoomKind::group);
    set_subject("Welcome");
    co_return;
  }
  asio::awaitable<std::string> on_nick_change(std::string wanted) override {
    if (record("room_nick", "", wanted)) co_return co_await Room::on_nick_change(wanted);
    co_return wanted;  // the network takes it as asked
  }
  asio::awaitable<void> on_join() override {
    // Recorded only when scripted to fail: joins are not calls the other tests count.
    if (scripted_.script().errors.contains("room_join")) record("room_join", "", "");
    co_return;
  }
  asio::awaitable<void> fill_participants() override {
    for (const ScriptedContact& contact : scripted_.script().contacts) participant(contact.id);
    co_return;
  }
  asio::awaitable<LegacyId> on_text(const Text& text) override {
    SessionCall call;
    call.hook = "room_text";
    call.contact = legacy_id();
    call.text = text.body;
    call.xmpp_id = text.xmpp_id;
    scripted_.record(std::move(call));
    co_return "G" + std::to_string(scripted_.script().next_legacy_id++);
  }
  asio::awaitable<void> on_correct(const LegacyId& id, const Text& text) override {
    record("room_correct", id, text.body);
    co_return;
  }
  asio::awaitable<void> on_set_subject(std::string subject) override {
    record("room_subject", "", std::move(subject));
    co_return;
  }
  asio::awaitable<void> on_retract(const LegacyId& id) override {
    record("room_retract", id, "");
    co_return;
  }
  asio::awaitable<void> on_react(const LegacyId& id, std::vector<std::string> emojis) override {
    SessionCall call = make_call("room_react", id, "");
    call.emojis = std::move(emojis);
    scripted_.record(std::move(call));
    co_return;
  }
  asio::awaitable<void> on_displayed(const LegacyId& id) override {
    record("room_displayed", id, "");
    co_return;
  }
  // History: bob's H1…H3, a day old, a minute apart (legacy_id = the after bound's id,
  // text = the before bound's).
  asio::awaitable<void> backfill(std::optional<HistoryBound> after,
                                 std::optional<HistoryBound> before) override {
    record("room_backfill", after ? after->id : "", before ? before->id : "");
    if (!scripted_.script().room_history) co_return;
    const auto day_ago = std::chrono::system_clock::now() - std::chrono::hours(24);
    for (int i = 1; i <= 3; ++i)
      participant(scripted_.script().contacts.front().id)
          .archive_text("old " + std::to_string(i),
                        {.legacy_id = "H" + std::to_string(i),
                         .reply_to = i == 3 ? std::optional<LegacyId>("H1") : std::nullopt,
                         .when = day_ago + std::chrono::minutes(i)});
    co_return;
  }
  std::size_t history_on_join() const override { return scripted_.script().room_history_on_join; }
  bool record_history() const override { return scripted_.script().room_record_history; }
  asio::awaitable<void> on_chat_state(ChatState state) override {
    SessionCall call = make_call("room_chat_state", "", "");
    call.chat_state = state;
    scripted_.record(std::move(call));
    co_return;
  }
  // Invites, kicks and affiliations name the contact (or the nick) as legacy_id.
  asio::awaitable<void> on_invite(Contact& contact, std::string reason) override {
    if (record("room_invite", contact.legacy_id(), std::move(reason)))
      co_await Room::on_invite(contact, "");
  }
  asio::awaitable<void> on_kick(Participant& p, std::string reason) override {
    if (record("room_kick", p.nick(), std::move(reason))) co_await Room::on_kick(p, "");
  }
  asio::awaitable<void> on_set_affiliation(Contact& contact, Affiliation a,
                                           std::string reason) override {
    SessionCall call = make_call("room_affiliation", contact.legacy_id(), std::move(reason));
    call.file_name = std::string(to_string(a));  // the affiliation asked for
    if (scripted_.record(std::move(call))) co_await Room::on_set_affiliation(contact, a, "");
  }
  asio::awaitable<void> on_leave() override {
    if (record("room_leave", "", "")) co_await Room::on_leave();
  }
  asio::awaitable<void> on_destroy(std::string reason) override {
    if (record("room_destroy", "", reason)) co_await Room::on_destroy(reason);
  }

 private:
  SessionCall make_call(std::string hook, const LegacyId& id, std::string text) {
    SessionCall call;
    call.hook = std::move(hook);
    call.contact = legacy_id();
    call.legacy_id = id;
    call.text = std::move(text);
    return call;
  }
  // True when the hook is scripted as unimplemented (then the caller runs the default).
  bool record(std::string hook, const LegacyId& id, std::string text) {
    return scripted_.record(make_call(std::move(hook), id, std::move(text)));
  }

  ScriptedSession& scripted_;
};

class ScriptedRooms : public Rooms {
 public:
  explicit ScriptedRooms(ScriptedSession& session) : Rooms(session), scripted_(session) {}
  asio::awaitable<std::vector<LegacyId>> fill() override { co_return scripted_.script().rooms; }
  std::optional<LegacyId> legacy_id_of(std::string_view local) const override {
    const std::string& prefix = scripted_.script().open_prefix;
    if (prefix.empty() || !local.starts_with(prefix)) return std::nullopt;
    return LegacyId(local);
  }
  std::unique_ptr<Room> make_room(RoomRecord record) override {
    return std::make_unique<ScriptedRoom>(scripted_, std::move(record));
  }

 private:
  ScriptedSession& scripted_;
};

}  // namespace

std::unique_ptr<Rooms> ScriptedSession::make_rooms() {
  return std::make_unique<ScriptedRooms>(*this);
}

asio::awaitable<LegacyId> ScriptedSession::on_text(Contact& to, const Text& text) {
  SessionCall call = call_of("text", &to);
  call.text = text.body;
  call.xmpp_id = text.xmpp_id;
  call.reply_to = text.reply_to;
  if (record(std::move(call))) co_return co_await Session::on_text(to, text);
  if (script_->text_delay.count() > 0) {
    asio::steady_timer timer(co_await asio::this_coro::executor, script_->text_delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return "L" + std::to_string(script_->next_legacy_id++);
}

asio::awaitable<void> ScriptedSession::on_correct(Contact& to, const LegacyId& id,
                                                  const Text& text) {
  SessionCall call = call_of("correct", &to, id);
  call.text = text.body;
  call.xmpp_id = text.xmpp_id;
  if (record(std::move(call))) co_await Session::on_correct(to, id, text);
}

asio::awaitable<void> ScriptedSession::on_retract(Contact& to, const LegacyId& id) {
  if (record(call_of("retract", &to, id))) co_await Session::on_retract(to, id);
}

asio::awaitable<void> ScriptedSession::on_react(Contact& to, const LegacyId& id,
                                                std::vector<std::string> emojis) {
  SessionCall call = call_of("react", &to, id);
  call.emojis = emojis;
  if (record(std::move(call))) co_await Session::on_react(to, id, std::move(emojis));
}

asio::awaitable<void> ScriptedSession::on_displayed(Contact& to, const LegacyId& id) {
  if (record(call_of("displayed", &to, id))) co_await Session::on_displayed(to, id);
}

asio::awaitable<void> ScriptedSession::on_chat_state(Contact& to, ChatState state) {
  SessionCall call = call_of("chat_state", &to);
  call.chat_state = state;
  if (record(std::move(call))) co_await Session::on_chat_state(to, state);
}

asio::awaitable<void> ScriptedSession::on_presence(const UserPresence& presence) {
  SessionCall call = call_of("presence");
  call.presence = presence;
  if (record(std::move(call))) co_await Session::on_presence(presence);
}

asio::awaitable<void> ScriptedSession::on_friend_request(Contact& contact) {
  if (record(call_of("friend_request", &contact))) co_await Session::on_friend_request(contact);
}

asio::awaitable<LegacyId> ScriptedSession::on_file(Contact& to, IncomingFile& file) {
  SessionCall call = call_of("file", &to);
  call.file_name = file.name();
  // A refused hook throws before reading: the transfer is still running when it fails.
  if (!script_->errors.contains("file") && !script_->unimplemented.contains("file"))
    call.text = co_await file.read_all();
  if (record(std::move(call))) co_return co_await Session::on_file(to, file);
  co_return "L" + std::to_string(script_->next_legacy_id++);
}

}  // namespace legate::test
