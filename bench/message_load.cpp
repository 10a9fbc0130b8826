// legate-bench-msg: load generator for the whole gateway (the echo bridge). It prepares a
// database of N registered users with M stored contacts each (with Legate's own stores),
// plays the server side of XEP-0114 on 127.0.0.1 (optionally spawning legate-echo on that
// database, pinned to its own CPU), and measures:
//   1. start-up: from the spawn until every user's session is logged in (the gateway's
//      presence "Connected to the echo network") and routable (the contacts that the echo
//      network's fill() lists are online), with the component's RSS and CPU;
//   2. optionally (--probe) the memory of loaded contacts: a presence probe from every user
//      to every stored contact makes the gateway load them all;
//   3. messaging: chat messages from the users to their contacts, W in flight (optionally
//      paced at --rate), each matched to the echo's reply (<reply id='our id'/>), with the
//      round trip net of the echo network's artificial delay, the latency of the contact's
//      "composing" (sent as soon as the bridge has the message), throughput, RSS and CPU.
// This file runs those phases and prints the report; the traffic is message_traffic.cpp,
// the database message_database.cpp, and the stream and process the shared parts in bench/.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>

#include "bench/component_under_test.hpp"
#include "bench/latency.hpp"
#include "bench/message_database.hpp"
#include "bench/message_options.hpp"
#include "bench/message_traffic.hpp"
#include "bench/proc_stats.hpp"
#include "bench/scratch_database.hpp"

namespace {

using namespace legate::bench;

void print_rss(const char* label, const std::optional<ProcStats>& s) {
  if (s)
    std::printf("%-19s %ld KiB (RssAnon %ld KiB, peak %ld KiB)\n", label, s->rss_kb, s->rss_anon_kb,
                s->peak_rss_kb);
}

// Phase 1: waits until every user is logged in and routable, and reports the start-up.
// Returns the component's figures after the login.
std::optional<ProcStats> log_in(const MessageOptions& opt, ComponentUnderTest& component,
                                MessageServer& server) {
  std::optional<ProcStats> before_login;
  Clock::time_point handshake_at;
  server.authenticate([&] {
    before_login = component.stats();
    handshake_at = Clock::now();
  });
  Clock::time_point all_connected, routable;
  server.wait_logged_in(all_connected, routable);
  const auto after_login = component.stats();
  const double n_users = static_cast<double>(opt.users);
  const auto spawned_at = component.spawned_at();

  std::printf("users x contacts   %zu x %zu (messages to %zu of each user's contacts)\n", opt.users,
              opt.contacts, opt.targets);
  if (!opt.spawn.empty())
    std::printf(
        "start-up           connected %.3f s after spawn, all %zu sessions logged in "
        "at %.3f s, routable at %.3f s\n",
        seconds_between(spawned_at, component.connected_at()), opt.users,
        seconds_between(spawned_at, all_connected), seconds_between(spawned_at, routable));
  std::printf(
      "login_all          %.3f s from the handshake until every echo contact is "
      "online (%zu stanzas)\n",
      seconds_between(handshake_at, routable), server.stanzas_);
  print_rss("RSS before login", before_login);
  print_rss("RSS after login", after_login);
  if (before_login && after_login) {
    std::printf(
        "per session        %.0f bytes (RssAnon growth / users; 3 loaded contacts each)\n",
        static_cast<double>(after_login->rss_anon_kb - before_login->rss_anon_kb) * 1024 / n_users);
    std::printf("start-up CPU       %.2f s in total\n", after_login->cpu_seconds);
  }
  return after_login;
}

// Phase 2 (--probe): makes the gateway load every stored contact, and reports the memory.
void probe(const MessageOptions& opt, ComponentUnderTest& component, MessageServer& server,
           const std::optional<ProcStats>& after_login) {
  const auto t0 = Clock::now();
  const std::size_t probes = server.probe_all();
  const auto after_probe = component.stats();
  std::printf("probe              %zu contacts probed in %.3f s\n", probes,
              seconds_between(t0, Clock::now()));
  print_rss("RSS after probe", after_probe);
  const std::size_t loaded =
      opt.users *
      (opt.contacts > std::size(kEchoContacts) ? opt.contacts - std::size(kEchoContacts) : 0);
  if (after_probe && after_login && loaded > 0)
    std::printf("per loaded contact %.0f bytes (RssAnon growth / %zu newly loaded contacts)\n",
                static_cast<double>(after_probe->rss_anon_kb - after_login->rss_anon_kb) * 1024 /
                    static_cast<double>(loaded),
                loaded);
}

// Phase 3: the warm-up and the measured messages, and their report.
void send_messages(const MessageOptions& opt, ComponentUnderTest& component,
                   MessageServer& server) {
  server.run_messages(opt.warmup, false);
  const PhaseCost cost =
      measure_phase(component.pid(), [&] { server.run_messages(opt.count, true); });
  server.settle(std::chrono::milliseconds(2000));

  const double n = static_cast<double>(opt.count);
  std::printf("window             %zu", opt.window);
  if (opt.rate > 0) std::printf(", paced at %.0f messages/s", opt.rate);
  std::printf("%s\n", opt.rich ? " (rich messages)" : "");
  std::printf("count              %zu (after %zu warm-up)\n", opt.count, opt.warmup);
  std::printf(
      "replies            %zu (composing %zu, displayed %zu, reactions %zu, "
      "receipts %zu)\n",
      server.replies_, server.composing_, server.displayed_, server.reactions_, server.receipts_);
  std::printf("errors             %zu (+%zu unexpected, %zu lost)\n", server.errors_,
              server.unexpected_, server.lost_);
  if (server.lost_)
    std::printf("first lost         %s (no reply within --stall %.0f s)\n",
                server.first_lost_.c_str(), opt.stall);
  if (server.errors_) std::printf("first error        %s\n", server.first_error_.c_str());
  if (server.unexpected_) std::printf("first unexpected   %s\n", server.first_unexpected_.c_str());
  std::printf("elapsed            %.3f s\n", cost.elapsed);
  std::printf("throughput         %.0f messages/s", n / cost.elapsed);
  if (server.first_reply_at_ && server.last_reply_at_ > *server.first_reply_at_) {
    std::printf(" (steady: %.0f/s between the first and the last reply)",
                static_cast<double>(server.replies_ - server.replies_at_first_) /
                    seconds_between(*server.first_reply_at_, server.last_reply_at_));
  }
  std::printf("\n");
  std::printf("echo delay         %.0f ms (subtracted from the round trip)\n", opt.delay_ms);
  print_latency("round trip - delay", server.reply_ns_);
  print_latency("composing", server.composing_ns_);
  print_latency("receipt", server.receipt_ns_);
  if (cost.before && cost.after) {
    print_rss("component RSS", cost.after);
    print_component_cpu(cost, n, "message");
  }
  print_generator_cpu(cost, n, "message");
}

int run(const MessageOptions& opt) {
  const auto deadline = Clock::now() + from_seconds(opt.timeout);
  // The database: prepared before the gateway starts, like a gateway restarting with its
  // registered users. A throwaway one unless --database names one to keep.
  const bool keep = !opt.database.empty();
  const std::string database =
      keep ? opt.database
           : opt.tmpdir + "/legate-bench-msg-" + std::to_string(getpid()) + ".sqlite";
  const ScratchDatabase remove_database(keep ? std::string() : database);
  ready_database(database, keep, opt);
  if (opt.prepare_only) return 0;

  ComponentUnderTest component(opt, database, ", database " + database);
  int status = 0;
  std::optional<MessageServer> holder;  // outlives the try block, for the report on failure
  try {
    const int fd = component.accept(deadline);
    MessageServer& server = holder.emplace(fd, opt, deadline);
    const auto after_login = log_in(opt, component, server);
    if (opt.probe) probe(opt, component, server, after_login);
    if (opt.count > 0) send_messages(opt, component, server);

    if (component.spawned()) {
      const auto t0 = Clock::now();
      status = component.stop(server, std::chrono::seconds(20));
      std::printf("shutdown           %.3f s (SIGTERM to exit, %zu stanzas in all)\n",
                  seconds_between(t0, Clock::now()), server.stanzas_);
    } else {
      server.close_stream(false, Clock::now() + std::chrono::seconds(5));
    }
    close(fd);
    report_exit_status(status);
    return server.errors_ || server.unexpected_ || server.lost_ || status != 0 ? 1 : 0;
  } catch (...) {
    // (The component, if we spawned it, is stopped as `component` goes.)
    if (holder) std::cerr << "legate-bench-msg: at the failure: " << holder->describe() << "\n";
    throw;
  }
}

}  // namespace

int main(int argc, char** argv) {
  return run_main("legate-bench-msg", kMessageUsage,
                  [&] { return run(parse_message_args(argc, argv)); });
}
