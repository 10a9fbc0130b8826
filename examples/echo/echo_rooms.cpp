// EchoRooms: the lounge and the lobby (see echo_rooms.hpp).
#include "echo_rooms.hpp"

#include "echo_avatars.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <legate/legacy/session.hpp>
#include "echo_account.hpp"
#include "echo_session.hpp"

namespace echo {
namespace {

using legate::asio::awaitable;
using namespace std::chrono_literals;

awaitable<void> pause(std::chrono::milliseconds delay) {
  legate::asio::steady_timer timer(co_await legate::asio::this_coro::executor, delay);
  co_await timer.async_wait(legate::asio::use_awaitable);
}

constexpr std::uint32_t kLoungeColour = 0xe9c46a;

class EchoRoom : public legate::Room {
 public:
  using legate::Room::Room;

  awaitable<void> update_info() override {
    const bool lounge = legacy_id() == "lounge";
    set_name(lounge ? "Echo Lounge" : "Echo Lobby");
    set_kind(lounge ? legate::RoomKind::group : legate::RoomKind::channel);
    set_user_nick(session().user().data<EchoAccount>().username);
    if (subject().empty()) set_subject(lounge ? "Welcome to the lounge" : "Welcome to the lobby");
    if (lounge && avatar_hash().empty()) set_avatar(disc_avatar(kLoungeColour));  // XEP-0486
    co_return;
  }

  awaitable<void> fill_participants() override {
    if (legacy_id() == "lounge") {
      participant("alice", "alice").set_affiliation(legate::Affiliation::owner);
      participant("bob", "bob");
    } else {
      participant("carol", "carol");
      participant_by_nick("dave");
    }
    co_return;
  }

  // Each room's history on the echo network: 30 items of its two regulars (alice and bob in
  // the lounge, carol and dave in the lobby), yesterday, ten minutes apart: the 10th a reply
  // to the 5th, the 20th a reaction to the 19th. The legacy ids are the same every run: a
  // second backfill (after a restart) adds nothing twice.
  awaitable<void> backfill(std::optional<HistoryBound>, std::optional<HistoryBound>) override {
    const bool lounge = legacy_id() == "lounge";
    const auto yesterday =
        std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) - 24h;
    const std::string prefix = lounge ? "history-" : "lobby-history-";
    for (int i = 1; i <= 30; ++i) {
      legate::Participant& who =
          i % 2 ? (lounge ? participant("alice", "alice") : participant("carol", "carol"))
                : (lounge ? participant("bob", "bob") : participant_by_nick("dave"));
      const legate::SendOptions options{.legacy_id = prefix + std::to_string(i),
                                        .when = yesterday + i * 10min};
      if (i == 20) {
        who.archive_reaction(prefix + "19", {"❤️"}, options);
        continue;
      }
      legate::SendOptions text = options;
      if (i == 10) text.reply_to = prefix + "5";
      who.archive_text("Earlier message " + std::to_string(i), text);
    }
    co_return;
  }

  awaitable<legate::LegacyId> on_text(const legate::Text& text) override {
    const legate::LegacyId id = new_message_id();
    session().spawn(answer(id, text.body));
    co_return id;
  }

  awaitable<void> on_set_subject(std::string subject) override {
    if (legacy_id() != "lounge") co_return co_await legate::Room::on_set_subject(subject);
  }

  // Invitations, kicks, affiliations and leaving: the echo network accepts them all (the
  // framework then shows the change); destroying is left to the default (forbidden).
  awaitable<void> on_invite(legate::Contact& contact, std::string) override {
    if (legacy_id() != "lounge") co_return co_await legate::Room::on_invite(contact, "");
    participant(contact.legacy_id())
        .send_text("thanks for the invitation", {.legacy_id = new_message_id()});
  }
  awaitable<void> on_kick(legate::Participant&, std::string) override { co_return; }
  awaitable<void> on_set_affiliation(legate::Contact&, legate::Affiliation, std::string) override {
    co_return;
  }
  awaitable<void> on_leave() override { co_return; }

  // The user typing makes bob type; the user reading a message makes alice read it too.
  awaitable<void> on_chat_state(legate::ChatState state) override {
    if (legacy_id() == "lounge" && state == legate::ChatState::composing)
      participant("bob").composing();
    co_return;
  }
  awaitable<void> on_displayed(const legate::LegacyId& id) override {
    spdlog::info("echo: {} read {} in {}", session().user_jid().str(), id, legacy_id());
    if (legacy_id() == "lounge") participant("alice").displayed(id);
    co_return;
  }

  awaitable<void> on_correct(const legate::LegacyId&, const legate::Text& text) override {
    if (legacy_id() == "lounge")
      participant("bob").send_text("bob saw a correction: " + text.body,
                                   {.legacy_id = new_message_id()});
    co_return;
  }

 private:
  awaitable<void> answer(legate::LegacyId id, std::string body) {
    co_await pause(200ms);
    if (legacy_id() == "lounge") {
      if (body.starts_with("/topic ")) {
        legate::Participant& alice = participant("alice");
        set_subject(body.substr(7), &alice);
        co_return;
      }
      const legate::LegacyId reply = new_message_id();
      participant("bob").send_text("bob heard: " + body, {.legacy_id = reply, .reply_to = id});
      participant("alice").react(id, {"👍"});
      if (body == "phone-read") {  // the user then reads bob's answer in the echo app
        co_await pause(100ms);
        spdlog::info("echo: {} read {} in {} from their phone", session().user_jid().str(), reply,
                     legacy_id());
        user().displayed(reply);
      }
      co_return;
    }
    if (body.starts_with("/nick ")) {
      dave().rename(body.substr(6));
    } else if (body == "/kick") {
      dave().kicked("you asked for it");
    } else {
      participant("carol").send_text("carol heard: " + body,
                                     {.legacy_id = new_message_id(), .reply_to = id});
    }
  }

  // dave is known by nick only; after a rename, by his new one.
  legate::Participant& dave() {
    for (legate::Participant* p : participants())
      if (!p->is_user() && p->legacy_id().empty()) return *p;
    return participant_by_nick("dave");
  }
};

}  // namespace

awaitable<std::vector<legate::LegacyId>> EchoRooms::fill() {
  co_return std::vector<legate::LegacyId>{"lounge", "lobby"};
}

std::unique_ptr<legate::Room> EchoRooms::make_room(legate::RoomRecord record) {
  return std::make_unique<EchoRoom>(session(), std::move(record));
}

}  // namespace echo
