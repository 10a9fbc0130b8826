// ComponentHarness: a Component under test on its own io_context thread, connected to a
// FakeServer, with helpers to inject stanzas and expect replies compared as XML trees.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "component/component.hpp"
#include "tests/support/fake_server.hpp"

namespace legate::test {

inline constexpr std::string_view kGateway = "gw.test";
inline constexpr std::string_view kSecret = "s3cret";

class ComponentHarness {
 public:
  // `tweak` adjusts the connection options (limits, keepalive, …) before the start.
  explicit ComponentHarness(std::function<void(ConnectionOptions&)> tweak = {});
  ~ComponentHarness();

  Component& component() { return *component_; }
  FakeServer& server() { return server_; }
  boost::asio::io_context& io() { return io_; }

  // Starts the component thread and completes the handshake (REQUIREs success).
  void start();
  // Stops the component and joins its thread (idempotent; the destructor does it too).
  // `force`: once the component's run() returned, also stops the io_context, dropping the
  // work still queued on it (timers of a gateway's sessions would keep it running).
  void stop(bool force = false);
  // Runs `fn` on the component's thread and waits for it.
  void on_component_thread(std::function<void()> fn);

  void inject(std::string_view xml) { server_.inject(xml); }
  // The next stanza must equal `expected_xml` structurally (doctest CHECK with the diff).
  void expect(std::string_view expected_xml, std::chrono::milliseconds timeout = 5s);
  // Waits until the component has done what the stanzas so far caused — its ready handlers
  // run (a few rounds, for chains of coroutine steps), then a ping answered over the stream,
  // which TCP orders after everything sent before it — and returns the stanzas that came.
  // Work waiting on a timer is not waited for. Instead of sleeping for a quiet period.
  std::vector<Element> settle();
  // Nothing more comes from what was sent so far (settle() returns nothing).
  void expect_nothing();
  // No stanza may arrive within `quiet` (for work that waits on a timer).
  void expect_nothing(std::chrono::milliseconds quiet);

 private:
  FakeServer server_;
  boost::asio::io_context io_;  // outlives the component's timers and sockets
  std::optional<Component> component_;
  std::atomic<bool> run_finished_{false};
  unsigned settles_ = 0;
  std::thread thread_;
};

}  // namespace legate::test
