// A bridge built out of tree against the installed Legate (tests/install/test_out_of_tree.sh):
// only the installed headers and `pkg-config --cflags --libs legate`.
#include <spdlog/spdlog.h>

#include "commands/run.hpp"
#include "gateway/base_gateway.hpp"
#include "legacy/contact.hpp"
#include "legacy/session.hpp"

namespace tiny {

struct TinySession : legate::Session {
  using legate::Session::Session;
  legate::asio::awaitable<std::string> login() override { co_return "Connected"; }
  legate::asio::awaitable<legate::LegacyId> on_text(legate::Contact& to,
                                                    const legate::Text& text) override {
    spdlog::info("tiny: {} -> {}: {}", user_jid().str(), to.legacy_id(), text.body);
    to.send_text("You said: " + text.body, "r1");
    co_return "m1";
  }
};

struct TinyGateway : legate::BaseGateway {
  legate::GatewayInfo info() const override {
    legate::GatewayInfo i;
    i.name = "Tiny";
    i.type = "tiny";
    i.registration_fields = {legate::FormField::text("username", "User name", true)};
    return i;
  }
  legate::asio::awaitable<legate::Json> validate(const legate::Jid&,
                                                 const legate::Form& form) override {
    co_return boost::json::object{{"username", form.value("username")}};
  }
  std::unique_ptr<legate::Session> make_session(legate::SessionHost& host,
                                                legate::SessionUser user) override {
    return std::make_unique<TinySession>(host, std::move(user));
  }
};

}  // namespace tiny

int main(int argc, char** argv) { return legate::run<tiny::TinyGateway>(argc, argv, "tiny", "0.0.1"); }
