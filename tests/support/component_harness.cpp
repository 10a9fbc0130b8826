// ComponentHarness implementation.
#include "tests/support/component_harness.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "component/xml_parse.hpp"

namespace legate::test {

ComponentHarness::ComponentHarness(std::function<void(ConnectionOptions&)> tweak)
    : server_(std::string(kGateway), std::string(kSecret)) {
  ConnectionOptions options;
  options.jid = kGateway;
  options.secret = kSecret;
  options.host = "127.0.0.1";
  options.port = server_.port();
  options.backoff_initial = 20ms;
  options.backoff_max = 200ms;
  options.close_timeout = 300ms;
  if (tweak) tweak(options);
  component_.emplace(io_.get_executor(), options);
}

ComponentHarness::~ComponentHarness() {
  stop();
}

void ComponentHarness::stop(bool force) {
  if (!thread_.joinable()) return;
  boost::asio::post(io_, [this] { component_->stop(); });
  server_.close_stream();
  if (force) {
    // The connection's coroutine must end first: its frame refers to the component.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!run_finished_ && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(5ms);
    io_.stop();
  }
  thread_.join();
}

void ComponentHarness::start() {
  boost::asio::co_spawn(io_, component_->run(),
                        [this](std::exception_ptr) { run_finished_ = true; });
  thread_ = std::thread([this] { io_.run(); });
  REQUIRE_MESSAGE(server_.accept_component(), server_.reason());
}

void ComponentHarness::on_component_thread(std::function<void()> fn) {
  std::promise<void> done;
  boost::asio::post(io_, [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

void ComponentHarness::expect(std::string_view expected_xml, std::chrono::milliseconds timeout) {
  const Element expected = parse_element(expected_xml);
  auto got = server_.next(timeout);
  REQUIRE_MESSAGE(got.has_value(), "no stanza arrived; expected " << expected_xml);
  const std::string diff = structural_difference(*got, expected);
  CHECK_MESSAGE(diff.empty(), "got " << got->str() << "\nexpected " << expected_xml << "\n"
                                     << diff);
}

std::vector<Element> ComponentHarness::settle() {
  // Rounds of re-posting: handlers posted by the ones before run first (FIFO), and the
  // reactor is polled between rounds, so short chains of continuations complete.
  constexpr int kRounds = 16;
  std::promise<void> idle;
  std::function<void(int)> round = [&](int left) {
    if (left == 0) return idle.set_value();
    boost::asio::post(io_, [&round, left] { round(left - 1); });
  };
  boost::asio::post(io_, [&] { round(kRounds); });
  idle.get_future().wait();
  const std::string id = "settle-" + std::to_string(++settles_);
  inject("<iq type='get' id='" + id + "' from='test' to='" + std::string(kGateway) +
         "'><ping xmlns='urn:xmpp:ping'/></iq>");
  std::vector<Element> came;
  for (;;) {
    auto got = server_.next(5s);
    REQUIRE_MESSAGE(got.has_value(), "the component did not answer the settle ping");
    if (got->name() == "iq" && got->attr_or("id") == id) return came;
    came.push_back(std::move(*got));
  }
}

void ComponentHarness::expect_nothing() {
  const auto came = settle();
  CHECK_MESSAGE(came.empty(), "unexpected stanza " << (came.empty() ? "" : came.front().str()));
}

void ComponentHarness::expect_nothing(std::chrono::milliseconds quiet) {
  auto got = server_.next(quiet);
  CHECK_MESSAGE(!got.has_value(), "unexpected stanza " << (got ? got->str() : std::string()));
}

}  // namespace legate::test
