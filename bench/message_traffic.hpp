// legate-bench-msg's side of the component stream: the logins it waits for, the presence
// probes, and the chat messages it sends from the users to their contacts, each matched to
// the echo bridge's replies (composing, displayed, the reply itself, a reaction and, for
// --rich, a receipt), with the counts and latencies that the report prints.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_server.hpp"
#include "bench/message_options.hpp"

namespace legate::bench {

class MessageServer : public BenchServer {
 public:
  MessageServer(int fd, const MessageOptions& opt, Clock::time_point deadline);

  // Waits for every user's "Connected" status; `routable` once the echo contacts of every
  // user are online too.
  void wait_logged_in(Clock::time_point& all_connected, Clock::time_point& routable);

  // A presence probe from every user to every stored contact (W in flight): the gateway
  // loads them all. Returns the number of probes.
  std::size_t probe_all();

  // Sends `n` messages, W in flight (paced at --rate), and waits for every echo reply.
  void run_messages(std::size_t n, bool measure);

  // One line about where the run stands (for a timeout or a lost reply).
  std::string describe() const;

  // Waits (up to `grace`) for the markers and reactions that follow the last replies.
  void settle(std::chrono::milliseconds grace);

  // Statistics.
  std::size_t stanzas_ = 0, iqs_ = 0, other_ = 0, presences_ = 0;
  std::size_t connected_count_ = 0, echo_online_ = 0, probe_answers_ = 0;
  std::size_t replies_ = 0, composing_ = 0, displayed_ = 0, reactions_ = 0, receipts_ = 0;
  std::size_t gateway_chats_ = 0, errors_ = 0, unexpected_ = 0, lost_ = 0;
  std::string first_error_, first_unexpected_, first_lost_;
  std::vector<std::int64_t> reply_ns_, composing_ns_, receipt_ns_;
  std::optional<Clock::time_point> first_reply_at_;
  Clock::time_point last_reply_at_;
  std::size_t replies_at_first_ = 0;

 private:
  void on_component_stanza(legate::Element& stanza) override;
  void on_presence(const legate::Element& stanza);
  void on_message(const legate::Element& stanza);
  void unexpected(const legate::Element& stanza);
  std::string body_of(std::uint64_t id) const;
  // " from='u<user>@<domain>/bench' to='<contact>@<component JID>'"
  void append_addresses(std::size_t user, std::size_t contact);
  void append_message(std::uint64_t id);

  const MessageOptions& opt_;
  std::string domain_, contact_suffix_;
  bool probing_ = false;
  Clock::time_point connected_at_, echo_online_at_;
  std::vector<std::uint8_t> connected_;
  std::vector<std::deque<std::uint64_t>> composing_fifo_;
  std::vector<Clock::time_point> sent_at_;
  std::vector<std::uint8_t> replied_;
  std::size_t measure_from_ = SIZE_MAX;
  std::int64_t delay_ns_ = 0;
};

}  // namespace legate::bench
