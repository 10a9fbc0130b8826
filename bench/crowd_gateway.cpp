// legate-bench-crowd: the bridge legate-bench-groups measures. Every user is in one big
// channel, crowd@<gw> (LEGATE_BENCH_PARTICIPANTS nicks, default 1000), and in
// LEGATE_BENCH_ROOMS small ones, room<i>@<gw> (10 nicks each, default 100). A message to a
// room is answered at once by its participant p0, as a reply. The bridge is also the
// shortest complete example of a group bridge (README "A group in 40 lines").
#include <cstdlib>
#include <legate/commands/run.hpp>
#include <legate/gateway/gateway.hpp>
#include <legate/legacy/rooms.hpp>
#include <legate/legacy/session.hpp>
#include <string>

namespace {

using legate::asio::awaitable;

std::size_t from_env(const char* name, std::size_t fallback) {
  const char* value = std::getenv(name);
  return value ? std::strtoul(value, nullptr, 10) : fallback;
}

class CrowdRoom : public legate::Room {
 public:
  using Room::Room;
  awaitable<void> update_info() override {
    set_kind(legate::RoomKind::channel);
    set_subject("Welcome to " + legacy_id());
    co_return;
  }
  awaitable<void> fill_participants() override {
    const std::size_t n = legacy_id() == "crowd" ? from_env("LEGATE_BENCH_PARTICIPANTS", 1000) : 10;
    for (std::size_t i = 0; i < n; ++i) participant_by_nick("p" + std::to_string(i));
    co_return;
  }
  awaitable<legate::LegacyId> on_text(const legate::Text& text) override {
    legate::LegacyId id = "m" + std::to_string(++sent_);
    session().spawn(answer(id, text.body));  // after the framework maps the message's ids
    co_return id;
  }

 private:
  awaitable<void> answer(legate::LegacyId id, std::string body) {
    participant_by_nick("p0").send_text("re: " + body, {.legacy_id = "r" + id, .reply_to = id});
    co_return;
  }
  std::size_t sent_ = 0;
};

class CrowdRooms : public legate::Rooms {
 public:
  using Rooms::Rooms;
  awaitable<std::vector<legate::LegacyId>> fill() override {
    std::vector<legate::LegacyId> ids{"crowd"};
    for (std::size_t i = 0, n = from_env("LEGATE_BENCH_ROOMS", 100); i < n; ++i)
      ids.push_back("room" + std::to_string(i));
    co_return ids;
  }
  std::unique_ptr<legate::Room> make_room(legate::RoomRecord record) override {
    return std::make_unique<CrowdRoom>(session(), std::move(record));
  }
};

class CrowdSession : public legate::Session {
 public:
  using Session::Session;
  awaitable<std::string> login() override { co_return "Connected to the crowd"; }
  std::unique_ptr<legate::Rooms> make_rooms() override {
    return std::make_unique<CrowdRooms>(*this);
  }
};

class CrowdGateway : public legate::Gateway<CrowdSession> {
 public:
  legate::GatewayInfo info() const override {
    legate::GatewayInfo info;
    info.name = "Legate bench crowd";
    info.type = "bench";
    return info;
  }
};

}  // namespace

int main(int argc, char** argv) {
  return legate::run<CrowdGateway>(argc, argv, "legate-bench-crowd", "0.1.0");
}
