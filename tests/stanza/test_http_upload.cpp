// XEP-0363 slot requests at the stanza level: a slot the upload service refuses (ejabberd's
// mod_http_upload only serves its own host by default) fails for that file alone, and the
// admin gets one warning naming the fix, not one per file.
#include <doctest/doctest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <future>
#include <optional>

#include "gateway/http_upload.hpp"
#include "tests/support/component_harness.hpp"

using namespace legate;
using namespace legate::test;

namespace {

// Requests a slot on the component thread; the future holds the condition it failed with.
std::future<std::optional<ErrorCondition>> request_slot(ComponentHarness& h, HttpUpload& upload) {
  auto promise = std::make_shared<std::promise<std::optional<ErrorCondition>>>();
  auto future = promise->get_future();
  h.on_component_thread([&h, &upload, promise] {
    asio::co_spawn(
        h.io(),
        [&upload, promise]() -> asio::awaitable<void> {
          try {
            co_await upload.request_slot("cat.png", 1000, "image/png");
            promise->set_value(std::nullopt);
          } catch (const StanzaError& e) {
            promise->set_value(e.condition());
          }
        },
        asio::detached);
  });
  return future;
}

// Answers the next iq from the component with `payload` (a result) or an error condition.
void answer(ComponentHarness& h, std::string_view child, std::string_view reply_inner,
            std::string_view type = "result") {
  auto iq = h.server().next();
  REQUIRE(iq);
  REQUIRE(iq->first_child());
  CHECK(iq->first_child()->name() == child);
  CHECK(iq->attr_or("to") == "upload.test");
  h.inject("<iq type='" + std::string(type) + "' from='upload.test' to='" +
           std::string(iq->attr_or("from")) + "' id='" + std::string(iq->attr_or("id")) + "'>" +
           std::string(reply_inner) + "</iq>");
}

constexpr std::string_view kServiceInfo =
    "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='store' "
    "type='file'/><feature var='urn:xmpp:http:upload:0'/></query>";
constexpr std::string_view kForbidden =
    "<error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text "
    "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Access denied by service policy</text></error>";

}  // namespace

TEST_CASE("http upload: a refused slot fails that file, with one warning for the admin") {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  spdlog::default_logger()->sinks().push_back(sink);
  {
    ComponentHarness h;
    h.start();
    std::optional<HttpUpload> upload;
    h.on_component_thread([&] { upload.emplace(h.component(), "test", "upload.test"); });
    auto first = request_slot(h, *upload);
    answer(h, "query", kServiceInfo);
    answer(h, "request", kForbidden, "error");
    REQUIRE(first.wait_for(5s) == std::future_status::ready);
    CHECK(first.get() == ErrorCondition::forbidden);
    auto second = request_slot(h, *upload);  // the service is known now: straight to a slot
    answer(h, "request", kForbidden, "error");
    REQUIRE(second.wait_for(5s) == std::future_status::ready);
    CHECK(second.get() == ErrorCondition::forbidden);
    h.on_component_thread([&] { upload.reset(); });
  }
  spdlog::default_logger()->sinks().pop_back();
  std::vector<std::string> warnings;
  for (const auto& msg : sink->last_raw())
    if (msg.level >= spdlog::level::warn)
      warnings.emplace_back(msg.payload.data(), msg.payload.size());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("upload.test refuses slots to gw.test") != std::string::npos);
  CHECK(warnings[0].find("Access denied by service policy") != std::string::npos);
  CHECK(warnings[0].find("docs/admin.md") != std::string::npos);
}
