// legate-bench-iq: load generator for the component core. It plays the server side of
// XEP-0114 on 127.0.0.1 (optionally spawning the component, pinned to its own CPU),
// authenticates the component, then keeps a window of iq gets in flight and reports
// throughput, per-request latency, and the component's peak RSS and CPU time per stanza.
// Plain non-blocking socket + poll(); replies are parsed with legate::XmlStreamParser.
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "bench/support.hpp"
#include "component/handshake.hpp"
#include "component/xml_stream_parser.hpp"

namespace {

using namespace legate::bench;

struct Options {
  std::uint16_t port = 0;
  std::string spawn;  // path to legate-echo, or empty (connect a component yourself)
  pid_t pid = 0;      // --pid: measure an already running component
  std::size_t count = 200000;
  std::size_t warmup = 5000;
  std::size_t window = 100;
  std::string kind = "disco";
  double timeout = 120;
  bool pin = true;
  bool spin = false;  // busy-poll: never sleep in poll()
  std::string jid = "gw.bench";
  std::string secret = "S";
};

constexpr std::string_view kUsage =
    "usage: legate-bench-iq [--spawn PATH] [--pid PID] [--port P] [--count N] [--warmup N]\n"
    "                       [--window W] [--kind disco|ping|mixed] [--timeout SECONDS]\n"
    "                       [--no-pin] [--spin] [--jid JID] [--secret S]\n";

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string key = argv[i];
    std::string value;
    if (auto eq = key.find('='); eq != std::string::npos) {
      value = key.substr(eq + 1);
      key.resize(eq);
    } else if (key != "--no-pin" && key != "--spin" && key != "--help") {
      if (i + 1 >= argc) throw std::invalid_argument(key + " needs a value");
      value = argv[++i];
    }
    if (key == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (key == "--spin")
      o.spin = true;
    else if (key == "--no-pin")
      o.pin = false;
    else if (key == "--spawn")
      o.spawn = value;
    else if (key == "--pid")
      o.pid = static_cast<pid_t>(std::stol(value));
    else if (key == "--port")
      o.port = static_cast<std::uint16_t>(std::stoul(value));
    else if (key == "--count")
      o.count = std::stoul(value);
    else if (key == "--warmup")
      o.warmup = std::stoul(value);
    else if (key == "--window")
      o.window = std::max<std::size_t>(1, std::stoul(value));
    else if (key == "--kind")
      o.kind = value;
    else if (key == "--timeout")
      o.timeout = std::stod(value);
    else if (key == "--jid")
      o.jid = value;
    else if (key == "--secret")
      o.secret = value;
    else
      throw std::invalid_argument("unknown option " + key);
  }
  if (o.kind != "disco" && o.kind != "ping" && o.kind != "mixed")
    throw std::invalid_argument("--kind must be disco, ping or mixed");
  return o;
}

// The server end of one component stream, plus the bookkeeping of the requests on it.
class ServerSide : public legate::StreamEvents {
 public:
  ServerSide(int fd, const Options& opt, Clock::time_point deadline)
      : fd_(fd), opt_(opt), deadline_(deadline), parser_(*this) {
    buffer_.resize(64 * 1024);
  }

  void on_stream_open(const legate::Element& header) override {
    opened_ = true;
    if (header.attr_or("xmlns") != "jabber:component:accept")
      protocol_error_ = "component stream header has the wrong namespace";
  }
  // (Parser callbacks must not throw: libxml2 is C; errors are raised after feed().)
  void on_stanza(legate::Element& stanza) override {
    if (!authenticated_) {
      if (stanza.name() != "handshake") protocol_error_ = "expected <handshake/>";
      handshake_ = stanza.text();
      got_handshake_ = true;
      return;
    }
    std::uint64_t id = 0;
    const std::string_view id_text = stanza.attr_or("id");
    auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (stanza.name() != "iq" || ec != std::errc() || end != id_text.data() + id_text.size() ||
        id >= sent_at_.size() || answered_[id]) {
      ++unexpected_;
      return;
    }
    answered_[id] = 1;
    ++received_;
    if (stanza.attr_or("type") != "result") {
      if (errors_++ == 0) first_error_ = stanza.str("jabber:component:accept");
    }
    if (id >= measure_from_) latencies_ns_.push_back((read_at_ - sent_at_[id]).count());
  }
  void on_stream_close() override { closed_ = true; }

  // Reads until `done()`; throws on timeout, parse failure or an unexpected EOF.
  template <typename Done>
  void pump(Done done, bool eof_ok = false) {
    while (!done()) {
      flush();
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
      if (left.count() <= 0) throw std::runtime_error("timed out");
      pollfd p{fd_, static_cast<short>(POLLIN | (out_.size() > out_off_ ? POLLOUT : 0)), 0};
      if (poll(&p, 1, opt_.spin ? 0 : static_cast<int>(std::min<long long>(left.count(), 1000))) <
              0 &&
          errno != EINTR)
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(fd_, buffer_.data(), buffer_.size());
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) {
        if (eof_ok) return;
        throw std::runtime_error("the component closed the connection");
      }
      read_at_ = Clock::now();
      if (!parser_.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n)))) {
        throw std::runtime_error("reply stream failed to parse: " + parser_.failure()->text);
      }
      if (!protocol_error_.empty()) throw std::runtime_error(protocol_error_);
    }
  }

  void send(std::string_view bytes) {
    out_.append(bytes);
    flush();
  }

  void authenticate() {
    pump([&] { return opened_; });
    const std::string id = "bench" + std::to_string(getpid());
    send(
        "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
        "xmlns:stream='http://etherx.jabber.org/streams' from='" +
        opt_.jid + "' id='" + id + "'>");
    pump([&] { return got_handshake_; });
    if (handshake_ != legate::handshake_digest(id, opt_.secret)) {
      send(
          "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
          "</stream:error></stream:stream>");
      throw std::runtime_error("wrong handshake digest from the component");
    }
    authenticated_ = true;
    send("<handshake/>");
  }

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

  // Ends the stream: after SIGTERM the component closes first and we answer; otherwise we
  // close first (as a server going down would) and wait for its answer.
  void close_stream(bool peer_first, Clock::time_point until) {
    deadline_ = until;
    try {
      if (!peer_first) send("</stream:stream>");
      pump([&] { return closed_; }, true);
      if (peer_first) send("</stream:stream>");
    } catch (const std::exception& e) {
      std::cerr << "warning: clean close failed: " << e.what() << "\n";
    }
  }

  std::size_t errors() const { return errors_; }
  std::size_t unexpected() const { return unexpected_; }
  const std::string& first_error() const { return first_error_; }
  std::vector<std::int64_t>& latencies_ns() { return latencies_ns_; }

 private:
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

  void flush() {
    while (out_off_ < out_.size()) {
      const ssize_t n = write(fd_, out_.data() + out_off_, out_.size() - out_off_);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        throw std::runtime_error(std::string("write: ") + std::strerror(errno));
      }
      out_off_ += static_cast<std::size_t>(n);
    }
    out_.clear();
    out_off_ = 0;
  }

  int fd_;
  const Options& opt_;
  Clock::time_point deadline_;
  legate::XmlStreamParser parser_;
  std::vector<char> buffer_;
  std::string out_;
  std::size_t out_off_ = 0;
  bool opened_ = false, closed_ = false, got_handshake_ = false, authenticated_ = false;
  std::string handshake_;
  std::vector<Clock::time_point> sent_at_;
  std::vector<std::uint8_t> answered_;
  std::vector<std::int64_t> latencies_ns_;
  std::size_t measure_from_ = SIZE_MAX;
  Clock::time_point read_at_;
  std::size_t received_ = 0, errors_ = 0, unexpected_ = 0;
  std::string first_error_;
  std::string protocol_error_;
};

double percentile_us(std::vector<std::int64_t>& v, double q) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

int run(const Options& opt) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(opt.timeout));
  std::uint16_t port = opt.port;
  const int listener = listen_on(port);
  pid_t component = opt.pid;
  pid_t child = 0;
  // A throwaway database: the benchmark must not touch the user's data directory.
  const std::string database = "/tmp/legate-bench-" + std::to_string(getpid()) + ".sqlite";
  struct RemoveDatabase {
    const std::string& path;
    ~RemoveDatabase() {
      for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
    }
  } remove_database{database};
  if (!opt.spawn.empty()) {
    child = component =
        spawn({opt.spawn, "--component.jid", opt.jid, "--component.secret", opt.secret,
               "--component.host", "127.0.0.1", "--component.port", std::to_string(port),
               "--log.level", "warn", "--storage.path", database},
              opt.pin ? 1 : -1);
    if (opt.pin && !pin_to_cpu(0)) std::cerr << "warning: cannot pin the generator to CPU 0\n";
  } else {
    std::cerr << "listening on 127.0.0.1:" << port << " (jid " << opt.jid << ", secret "
              << opt.secret << ")\n";
  }
  int status = 0;
  try {
    const int fd = accept_one(listener, child, deadline);
    close(listener);
    ServerSide server(fd, opt, deadline);
    server.authenticate();
    server.run_phase(opt.warmup, false);

    const auto before = component > 0 ? read_proc_stats(component) : std::nullopt;
    const double own_before = own_cpu_seconds();
    const auto start = Clock::now();
    server.run_phase(opt.count, true);
    const double elapsed = seconds_between(start, Clock::now());
    const double own_cpu = own_cpu_seconds() - own_before;
    const auto after = component > 0 ? read_proc_stats(component) : std::nullopt;

    if (child > 0) {
      kill(child, SIGTERM);
      server.close_stream(true, Clock::now() + std::chrono::seconds(5));
      status = terminate(child, std::chrono::seconds(5));
      child = 0;
    } else {
      server.close_stream(false, Clock::now() + std::chrono::seconds(2));
    }
    close(fd);

    auto& lat = server.latencies_ns();
    const double n = static_cast<double>(opt.count);
    std::printf("kind               %s\n", opt.kind.c_str());
    std::printf("window             %zu\n", opt.window);
    std::printf("count              %zu (after %zu warm-up)\n", opt.count, opt.warmup);
    std::printf("errors             %zu (+%zu unexpected)\n", server.errors(), server.unexpected());
    if (server.errors()) std::printf("first error        %s\n", server.first_error().c_str());
    std::printf("elapsed            %.3f s\n", elapsed);
    std::printf("throughput         %.0f stanzas/s\n", n / elapsed);
    const double max = lat.empty() ? 0 : *std::max_element(lat.begin(), lat.end()) / 1000.0;
    const double p50 = percentile_us(lat, 0.50), p90 = percentile_us(lat, 0.90);
    const double p99 = percentile_us(lat, 0.99), p999 = percentile_us(lat, 0.999);
    std::printf(
        "latency            p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us\n",
        p50, p90, p99, p999, max);
    if (before && after) {
      const double cpu = after->cpu_seconds - before->cpu_seconds;
      std::printf("component RSS      peak %ld KiB (now %ld KiB)\n", after->peak_rss_kb,
                  after->rss_kb);
      std::printf("component CPU      %.2f s = %.2f us/stanza (%.0f%% of one core)\n", cpu,
                  cpu * 1e6 / n, 100 * cpu / elapsed);
    }
    std::printf("generator CPU      %.2f s = %.2f us/stanza\n", own_cpu, own_cpu * 1e6 / n);
    if (status != 0)
      std::printf("component exit     status %d (nonzero)\n",
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return server.errors() || server.unexpected() ? 1 : 0;
  } catch (...) {
    if (child > 0) terminate(child, std::chrono::seconds(3));
    throw;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_args(argc, argv));
  } catch (const std::invalid_argument& e) {
    std::cerr << "legate-bench-iq: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "legate-bench-iq: error: " << e.what() << "\n";
    return 1;
  }
}
