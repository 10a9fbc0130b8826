// legate-bench-iq: load generator for the component core. It plays the server side of
// XEP-0114 on 127.0.0.1 (optionally spawning the component, pinned to its own CPU),
// authenticates the component, then keeps a window of iq gets in flight and reports
// throughput, per-request latency, and the component's peak RSS and CPU time per stanza.
// The stream, the process and the figures are the shared parts in bench/; this file is
// the iq traffic and its report.
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_server.hpp"
#include "bench/component_under_test.hpp"
#include "bench/latency.hpp"
#include "bench/options.hpp"
#include "bench/proc_stats.hpp"
#include "bench/scratch_database.hpp"

namespace {

using namespace legate::bench;

struct Options : CommonOptions {
  Options() {  // the defaults that differ from legate-bench-msg's
    count = 200000;
    window = 100;
    timeout = 120;
    jid = "gw.bench";
  }
  std::string kind = "disco";
  bool spin = false;  // busy-poll: never sleep in poll()
};

constexpr std::string_view kUsage =
    "usage: legate-bench-iq [--spawn PATH] [--pid PID] [--port P] [--count N] [--warmup N]\n"
    "                       [--window W] [--kind disco|ping|mixed] [--timeout SECONDS]\n"
    "                       [--no-pin] [--spin] [--jid JID] [--secret S]\n";

Options parse_args(int argc, char** argv) {
  Options o;
  for (ArgReader args(argc, argv, kUsage, {"--spin"}); args.next();) {
    const std::string& key = args.key();
    if (o.set(key, args.value())) continue;
    if (key == "--spin")
      o.spin = true;
    else if (key == "--kind")
      o.kind = args.value();
    else
      throw std::invalid_argument("unknown option " + key);
  }
  if (o.kind != "disco" && o.kind != "ping" && o.kind != "mixed")
    throw std::invalid_argument("--kind must be disco, ping or mixed");
  return o;
}

// The server end of one component stream, plus the bookkeeping of the requests on it.
class IqServer : public BenchServer {
 public:
  IqServer(int fd, const Options& opt, Clock::time_point deadline)
      : BenchServer(fd,
                    {.jid = opt.jid,
                     .secret = opt.secret,
                     .read_buffer = 64 * 1024,
                     .idle_poll_ms = opt.spin ? 0 : 1000,
                     .stream_name = "reply stream"},
                    deadline),
        opt_(opt) {}

  // Sends `n` iqs with ids from sent_at_.size() on, keeping `window` in flight, and waits
  // for all replies. Latencies are recorded when `measure`.
  void run_phase(std::size_t n, bool measure) {
    const std::size_t first = sent_at_.size();
    const std::size_t end = first + n;
    if (measure) {
      measure_from_ = first;
      latencies_ns_.reserve(n);
    }
    sent_at_.resize(end);
    answered_.resize(end, 0);
    std::size_t next = first;
    const std::size_t received_before = received_;
    auto fill = [&] {
      if (next == end) return;
      const auto now = Clock::now();
      while (next < end && next - (received_ - received_before) - first < opt_.window) {
        append_iq(next);
        sent_at_[next++] = now;
      }
      flush();
    };
    fill();
    pump([&] {
      fill();
      return received_ - received_before == n;
    });
  }

  std::size_t errors() const { return errors_; }
  std::size_t unexpected() const { return unexpected_; }
  const std::string& first_error() const { return first_error_; }
  std::vector<std::int64_t>& latencies_ns() { return latencies_ns_; }

 private:
  void on_component_stanza(legate::Element& stanza) override {
    std::uint64_t id = 0;
    if (stanza.name() != "iq" || !parse_id(stanza.attr_or("id"), id) || id >= sent_at_.size() ||
        answered_[id]) {
      ++unexpected_;
      return;
    }
    answered_[id] = 1;
    ++received_;
    if (stanza.attr_or("type") != "result") {
      if (errors_++ == 0) first_error_ = stanza.str(kComponentNs);
    }
    if (id >= measure_from_) latencies_ns_.push_back((read_at_ - sent_at_[id]).count());
  }

  void append_iq(std::size_t id) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, id);
    out_ += "<iq type='get' id='";
    out_.append(digits, end);
    out_ += "' from='user@localhost/r' to='";
    out_ += opt_.jid;
    const bool ping = opt_.kind == "ping" || (opt_.kind == "mixed" && id % 2 == 1);
    out_ += ping ? "'><ping xmlns='urn:xmpp:ping'/></iq>"
                 : "'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>";
  }

  const Options& opt_;
  std::vector<Clock::time_point> sent_at_;
  std::vector<std::uint8_t> answered_;
  std::vector<std::int64_t> latencies_ns_;
  std::size_t measure_from_ = SIZE_MAX;
  std::size_t received_ = 0, errors_ = 0, unexpected_ = 0;
  std::string first_error_;
};

int run(const Options& opt) {
  const auto deadline = Clock::now() + from_seconds(opt.timeout);
  // A throwaway database: the benchmark must not touch the user's data directory.
  const std::string database = "/tmp/legate-bench-" + std::to_string(getpid()) + ".sqlite";
  const ScratchDatabase remove_database(database);
  ComponentUnderTest component(opt, database, "");
  const int fd = component.accept(deadline);
  IqServer server(fd, opt, deadline);
  server.authenticate();
  server.run_phase(opt.warmup, false);
  const PhaseCost cost = measure_phase(component.pid(), [&] { server.run_phase(opt.count, true); });

  int status = 0;
  if (component.spawned())
    status = component.stop(server, std::chrono::seconds(5));
  else
    server.close_stream(false, Clock::now() + std::chrono::seconds(2));
  close(fd);

  auto& lat = server.latencies_ns();
  const double n = static_cast<double>(opt.count);
  std::printf("kind               %s\n", opt.kind.c_str());
  std::printf("window             %zu\n", opt.window);
  std::printf("count              %zu (after %zu warm-up)\n", opt.count, opt.warmup);
  std::printf("errors             %zu (+%zu unexpected)\n", server.errors(), server.unexpected());
  if (server.errors()) std::printf("first error        %s\n", server.first_error().c_str());
  std::printf("elapsed            %.3f s\n", cost.elapsed);
  std::printf("throughput         %.0f stanzas/s\n", n / cost.elapsed);
  std::printf("latency            %s\n", latency_summary(lat).c_str());
  if (cost.before && cost.after) {
    std::printf("component RSS      peak %ld KiB (now %ld KiB)\n", cost.after->peak_rss_kb,
                cost.after->rss_kb);
    print_component_cpu(cost, n, "stanza");
  }
  print_generator_cpu(cost, n, "stanza");
  report_exit_status(status);
  return server.errors() || server.unexpected() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return run_main("legate-bench-iq", kUsage, [&] { return run(parse_args(argc, argv)); });
}
