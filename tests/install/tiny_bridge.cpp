// A bridge built out of tree against the installed Legate (tests/install/test_out_of_tree.sh):
// only the installed headers and `pkg-config --cflags --libs legate`.
#include <spdlog/spdlog.h>

#include "commands/run.hpp"
#include "gateway/gateway.hpp"

namespace tiny {

struct TinySession : legate::Session {
  using legate::Session::Session;
  legate::asio::awaitable<std::string> login() override { co_return "Connected"; }
  legate::asio::awaitable<legate::LegacyId> on_text(legate::Contact& to,
                                                    const legate::Text& text) override {
    spdlog::info("tiny: {} -> {}: {}", user_jid().str(), to.legacy_id(), text.body);
    to.send_text("You said: " + text.body, {.legacy_id = "r1"});
    co_return "m1";
  }
};

struct TinyGateway : legate::Gateway<TinySession> {
  legate::GatewayInfo info() const override {
    legate::GatewayInfo i;
    i.name = "Tiny";
    i.type = "tiny";
    i.registration_fields = {legate::FormField::text("username", "User name", true)};
    return i;
  }
};

}  // namespace tiny

int main(int argc, char** argv) {
  return legate::run<tiny::TinyGateway>(argc, argv, "tiny", "0.0.1");
}
