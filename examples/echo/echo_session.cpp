// EchoSession: the reference bridge's network code (everything here is the "legacy" side).
#include "echo_session.hpp"

#include "echo_avatars.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "echo_account.hpp"
#include "echo_rooms.hpp"

namespace echo {
namespace {

using namespace std::chrono_literals;
using legate::asio::awaitable;

legate::asio::awaitable<void> sleep_for(std::chrono::milliseconds delay) {
  legate::asio::steady_timer timer(co_await legate::asio::this_coro::executor, delay);
  co_await timer.async_wait(legate::asio::use_awaitable);
}

// Legacy message ids, unique across restarts like a real network's.
// A random 64-bit prefix per process plus a counter: never the same id twice (random
// numbers alone collided under load, and a reply then quoted the wrong message).
}  // namespace

legate::LegacyId new_message_id() {
  static const std::string prefix = [] {
    std::mt19937_64 random{std::random_device{}()};
    std::string digits = std::to_string(random() % 1000000000000ULL);
    return "m" + std::string(12 - digits.size(), '0') + digits;  // fixed width: unambiguous
  }();
  static std::uint64_t counter = 0;
  return prefix + std::to_string(++counter);
}

namespace {

struct EchoRoster : legate::Roster {
  using legate::Roster::Roster;
  awaitable<std::vector<legate::LegacyId>> fill() override {
    std::vector<legate::LegacyId> ids{"alice", "bob", "carol"};
    for (const auto& id : ids) {
      legate::Contact& contact = by_legacy_id(id);
      contact.set_name(std::string(1, static_cast<char>(id[0] - 32)) + id.substr(1) + " Echo");
      if (const std::uint32_t colour = first_colour(id); colour && contact.avatar_hash().empty())
        contact.set_avatar(disc_avatar(colour));  // a changed one is kept across logins
      contact.online("Echoing everything");
    }
    co_return ids;
  }
};

}  // namespace

awaitable<std::string> EchoSession::login() {
  EchoAccount account = user().data<EchoAccount>();
  if (account.username.starts_with("fail"))
    throw std::runtime_error("the echo network refuses user names starting with 'fail'");
  // A real network hands out a new session token here; the echo counts its logins.
  ++account.logins;
  co_await update_legacy_data(account);
  co_return "Connected to the echo network";
}

awaitable<void> EchoSession::logout() {
  co_return;
}

std::unique_ptr<legate::Rooms> EchoSession::make_rooms() {
  return std::make_unique<EchoRooms>(*this);
}

std::unique_ptr<legate::Roster> EchoSession::make_roster() {
  return std::make_unique<EchoRoster>(*this);
}

awaitable<legate::LegacyId> EchoSession::on_text(legate::Contact& to, const legate::Text& text) {
  legate::LegacyId id = new_message_id();
  spdlog::info("echo: {} -> {}: {} '{}'", user_jid().str(), to.legacy_id(), id, text.body);
  if (text.body.starts_with("phone: ") || text.body.starts_with("phone-react: ") ||
      text.body == "phone-picture" || text.body == "phone-read") {
    spawn(from_phone(to, text.body));
  } else {
    spawn(echo(to, id, text.body));
  }
  if (text.body == "avatar" && to.legacy_id() == "alice") {
    alice_colour_ = next_colour(alice_colour_ ? alice_colour_ : first_colour("alice"));
    spdlog::info("echo: alice has a new avatar for {}", user_jid().str());
    to.set_avatar(disc_avatar(alice_colour_));
  }
  co_return id;
}

awaitable<void> EchoSession::from_phone(legate::Contact& contact, std::string command) {
  co_await sleep_for(100ms);
  if (command.starts_with("phone: ")) {
    const std::string body = command.substr(7);
    const legate::LegacyId id = new_message_id();
    spdlog::info("echo: {} sent '{}' to {} from their phone ({})", user_jid().str(), body,
                 contact.legacy_id(), id);
    contact.as_user().send_text(body, {.legacy_id = id});
    co_return;
  }
  if (command == "phone-picture") co_return co_await picture_from_phone(contact);
  auto last = last_message_of_.find(contact.legacy_id());
  if (last == last_message_of_.end()) co_return;
  if (command == "phone-read") {
    spdlog::info("echo: {} read {} of {} on their phone", user_jid().str(), last->second,
                 contact.legacy_id());
    co_return contact.as_user().displayed(last->second);
  }
  const std::string emoji = command.substr(13);
  spdlog::info("echo: {} reacted {} to {} from their phone", user_jid().str(), emoji, last->second);
  contact.as_user().react(last->second, {emoji});
}

awaitable<void> EchoSession::echo(legate::Contact& contact, legate::LegacyId id, std::string body) {
  contact.composing();
  co_await sleep_for(200ms);
  contact.displayed(id);
  const legate::LegacyId reply = new_message_id();
  contact.send_text("Echo (" + id + "): " + body, {.legacy_id = reply, .reply_to = id});
  last_message_of_[contact.legacy_id()] = reply;
  if (user().preference<bool>("react", true)) contact.react(id, {"👍"});
  if (body.find("correct me") != std::string::npos) {
    co_await sleep_for(300ms);
    contact.correct(reply, "Echo (" + id + "), corrected: " + body);
  }
  if (body == "go away") {
    contact.away("Back in a moment");
    co_await sleep_for(1s);
    contact.online("Echoing everything");
  }
  if (body == "send picture") co_await send_picture(contact);
  if (body.starts_with("send big ")) co_await send_big(contact, std::stoull(body.substr(9)));
}

awaitable<void> EchoSession::on_correct(legate::Contact& to, const legate::LegacyId& id,
                                        const legate::Text& text) {
  to.send_text("You corrected " + id + " to: " + text.body, {.legacy_id = new_message_id()});
  co_return;
}

awaitable<void> EchoSession::on_retract(legate::Contact& to, const legate::LegacyId& id) {
  to.send_text("You retracted " + id, {.legacy_id = new_message_id()});
  co_return;
}

awaitable<void> EchoSession::on_react(legate::Contact& to, const legate::LegacyId& id,
                                      std::vector<std::string> emojis) {
  std::string all;
  for (const auto& e : emojis) all += e;
  to.send_text("You reacted " + (all.empty() ? std::string("nothing") : all) + " to " + id,
               {.legacy_id = new_message_id()});
  co_return;
}

awaitable<void> EchoSession::on_displayed(legate::Contact& to, const legate::LegacyId& id) {
  spdlog::info("echo: {} read {} of {}", user_jid().str(), id, to.legacy_id());
  co_return;
}

awaitable<void> EchoSession::on_chat_state(legate::Contact&, legate::ChatState) {
  co_return;
}

awaitable<void> EchoSession::on_presence(const legate::UserPresence& presence) {
  spdlog::info("echo: {} is now {}", user_jid().str(),
               presence.show == legate::PresenceShow::offline ? "offline" : "online");
  co_return;
}

awaitable<legate::SearchResult> EchoSession::on_search(const legate::Form& form) {
  std::string query(form.value("name"));
  for (auto& c : query) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  legate::SearchResult found{{{"name", "Name"}, {"jid", "JID"}}, {}};
  if (!query.empty() && query.find_first_not_of("+0123456789 ") == std::string::npos) {
    legate::Contact& contact = roster().by_legacy_id(query);  // any number is on the network
    found.rows.push_back({query, contact.jid().str()});
    co_return found;
  }
  for (const char* id : {"alice", "bob", "carol"}) {
    legate::Contact& contact = roster().by_legacy_id(id);
    std::string name = contact.name(), lower = name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find(query) != std::string::npos) found.rows.push_back({name, contact.jid().str()});
  }
  co_return found;
}

}  // namespace echo
