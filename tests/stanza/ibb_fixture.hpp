// Shared pieces of the XEP-0047 stanza tests: a ComponentHarness with InBandBytestreams,
// a reader started for every accepted stream (or reads on demand), the peer's stanzas as
// XML strings, and checks of the component's replies as Element trees.
#pragma once

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "component/base64.hpp"
#include "component/ibb.hpp"
#include "component/xml_parse.hpp"
#include "tests/support/component_harness.hpp"

namespace legate::test {

inline constexpr std::string_view kPeer = "romeo@test/orchard";  // the remote party
inline constexpr std::string_view kContact = "juliet@gw.test";   // our side of the stream

inline std::string ibb_open(std::string_view sid, std::string_view block_size = "4096",
                            std::string_view stanza = {}) {
  std::string xml = "<open xmlns='http://jabber.org/protocol/ibb' sid='" + std::string(sid) +
                    "' block-size='" + std::string(block_size) + "'";
  if (!stanza.empty()) xml += " stanza='" + std::string(stanza) + "'";
  return xml + "/>";
}
inline std::string ibb_data(std::string_view sid, std::string_view seq, std::string_view b64) {
  return "<data xmlns='http://jabber.org/protocol/ibb' sid='" + std::string(sid) + "' seq='" +
         std::string(seq) + "'>" + std::string(b64) + "</data>";
}
inline std::string ibb_data(std::string_view sid, unsigned seq, std::string_view bytes) {
  return ibb_data(sid, std::to_string(seq), base64_encode(bytes));
}
inline std::string ibb_close(std::string_view sid) {
  return "<close xmlns='http://jabber.org/protocol/ibb' sid='" + std::string(sid) + "'/>";
}
inline std::string iq_set(std::string_view id, std::string_view payload,
                          std::string_view from = kPeer, std::string_view to = kContact) {
  return "<iq type='set' id='" + std::string(id) + "' from='" + std::string(from) + "' to='" +
         std::string(to) + "'>" + std::string(payload) + "</iq>";
}
inline std::string message_with(std::string_view id, std::string_view payload,
                                std::string_view type = {}) {
  std::string xml = "<message id='" + std::string(id) + "' from='" + std::string(kPeer) + "' to='" +
                    std::string(kContact) + "'";
  if (!type.empty()) xml += " type='" + std::string(type) + "'";
  return xml + ">" + std::string(payload) + "</message>";
}

// The defined condition of an error stanza ("" when it is none).
inline std::string error_condition(const Element& stanza) {
  if (stanza.attr_or("type") != "error") return {};
  const Element* error = stanza.child("error", kComponentNs);
  if (!error) return {};
  for (const Element& child : error->children())
    if (child.ns() == kStanzaErrorsNs && child.name() != "text") return std::string(child.name());
  return {};
}

// What a reader saw of one stream.
struct ReadOutcome {
  std::string bytes;
  std::size_t chunks = 0;
  bool ended = false;                   // read_chunk returned nullopt
  std::optional<ErrorCondition> error;  // read_chunk threw
};

struct Accepted {
  std::shared_ptr<IbbStream> stream;
  std::shared_future<ReadOutcome> outcome;  // set when the fixture reads by itself
};

class IbbFixture {
 public:
  explicit IbbFixture(IbbOptions options = {}, bool auto_read = true) {
    ibb.emplace(h.component(), options);
    ibb->on_stream([this, auto_read](std::shared_ptr<IbbStream> stream) {
      Accepted accepted{stream, {}};
      if (auto_read) accepted.outcome = read_all(stream);
      std::lock_guard lock(mutex_);
      accepted_.push_back(std::move(accepted));
      cv_.notify_all();
    });
  }
  // The component thread stops first: it runs the IBB handlers.
  ~IbbFixture() { h.stop(/*force=*/true); }
  IbbFixture(const IbbFixture&) = delete;
  IbbFixture& operator=(const IbbFixture&) = delete;

  void start() { h.start(); }

  // The next accepted stream (REQUIREd within `timeout`).
  Accepted next_stream(std::chrono::milliseconds timeout = 2s) {
    std::unique_lock lock(mutex_);
    REQUIRE(cv_.wait_for(lock, timeout, [&] { return !accepted_.empty(); }));
    Accepted first = std::move(accepted_.front());
    accepted_.pop_front();
    return first;
  }
  std::size_t pending_streams() {
    std::lock_guard lock(mutex_);
    return accepted_.size();
  }

  // Reads `stream` to its end on the component thread.
  std::shared_future<ReadOutcome> read_all(std::shared_ptr<IbbStream> stream) {
    auto promise = std::make_shared<std::promise<ReadOutcome>>();
    std::shared_future<ReadOutcome> future = promise->get_future().share();
    asio::co_spawn(
        h.io(),
        [stream, promise]() -> asio::awaitable<void> {
          ReadOutcome out;
          try {
            for (;;) {
              std::optional<std::string> chunk = co_await stream->read_chunk();
              if (!chunk) {
                out.ended = true;
                break;
              }
              out.bytes += *chunk;
              ++out.chunks;
            }
          } catch (const StanzaError& e) {
            out.error = e.condition();
          }
          promise->set_value(std::move(out));
        },
        asio::detached);
    return future;
  }
  // One read_chunk on the component thread: the chunk, "<end>" or "<error:condition>".
  std::string read_one(std::shared_ptr<IbbStream> stream, std::chrono::milliseconds wait = 2s) {
    auto promise = std::make_shared<std::promise<std::string>>();
    auto future = promise->get_future();
    h.on_component_thread([&] {
      asio::co_spawn(
          h.io(),
          [stream, promise]() -> asio::awaitable<void> {
            try {
              std::optional<std::string> chunk = co_await stream->read_chunk();
              promise->set_value(chunk ? *chunk : std::string("<end>"));
            } catch (const StanzaError& e) {
              promise->set_value("<error:" + std::string(to_string(e.condition())) + ">");
            }
          },
          asio::detached);
    });
    REQUIRE(future.wait_for(wait) == std::future_status::ready);
    return future.get();
  }

  Element next(std::chrono::milliseconds timeout = 5s) {
    auto got = h.server().next(timeout);
    REQUIRE_MESSAGE(got.has_value(), "no stanza arrived");
    return std::move(*got);
  }
  // The empty result of iq `id`, from our contact to the peer.
  void expect_result(std::string_view id, std::chrono::milliseconds timeout = 5s) {
    h.expect("<iq type='result' id='" + std::string(id) + "' from='" + std::string(kContact) +
                 "' to='" + std::string(kPeer) + "'/>",
             timeout);
  }
  // An error reply to stanza `id` with this type and condition (any <text/>).
  void expect_error(std::string_view id, std::string_view type, std::string_view condition,
                    std::string_view kind = "iq") {
    const Element got = next();
    CAPTURE(got.str());
    CHECK(got.name() == kind);
    CHECK(got.attr_or("type") == "error");
    CHECK(got.attr_or("id") == id);
    CHECK(got.attr_or("from") == kContact);
    CHECK(got.attr_or("to") == kPeer);
    const Element* error = got.child("error", kComponentNs);
    REQUIRE(error);
    CHECK(error->attr_or("type") == type);
    CHECK(error->child(condition, kStanzaErrorsNs));
  }
  // A stanza must equal `expected_xml` once its id is copied over (ids are ours to pick).
  Element expect_with_any_id(std::string_view expected_xml) {
    Element got = next();
    Element expected = parse_element(expected_xml);
    expected.set_attr("id", got.attr_or("id"));
    const std::string diff = structural_difference(got, expected);
    CHECK_MESSAGE(diff.empty(), "got " << got.str() << "\nexpected " << expected_xml << "\n"
                                       << diff);
    return got;
  }

  // Opens `sid` as the peer and checks the result and the accepted stream.
  Accepted open(std::string_view sid, std::string_view block_size = "4096",
                std::string_view stanza = {}) {
    const std::string id = "open-" + std::string(sid);
    h.inject(iq_set(id, ibb_open(sid, block_size, stanza)));
    expect_result(id);
    Accepted accepted = next_stream();
    CHECK(accepted.stream->sid() == sid);
    return accepted;
  }

  ComponentHarness h;
  std::optional<InBandBytestreams> ibb;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Accepted> accepted_;
};

inline IbbOptions accepting(IbbOptions options = {}) {
  options.auto_accept = true;
  return options;
}

}  // namespace legate::test
