// legate-bench-groups: load generator for group chats. It prepares a database with one
// registered user, plays the server side of XEP-0114 (spawning legate-bench-crowd, pinned
// to its own CPU), and measures:
//   1. the first join of a room of --participants occupants (the bridge fills it: every
//      participant stored, then every presence sent), and the re-joins of --resources - 1
//      more resources of the user (a full resync each), with wall time and gateway CPU;
//   2. memory: RssAnon growth per participant (the crowd's first join) and per room (joins
//      of --rooms rooms of 10 participants);
//   3. messages to the crowd from one resource, --window in flight: each is reflected to
//      every joined resource and answered by a participant, also to every resource, so one
//      message is 2 x --resources fanned-out stanzas; throughput and gateway CPU per stanza.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "bench/component_under_test.hpp"
#include "bench/message_database.hpp"
#include "bench/message_options.hpp"
#include "bench/proc_stats.hpp"
#include "bench/scratch_database.hpp"

namespace {

using namespace legate::bench;

struct GroupOptions : CommonOptions {
  GroupOptions() {
    count = 20000;
    warmup = 2000;
    window = 10;
    timeout = 300;
    jid = "gw.localhost";
  }
  std::size_t participants = 1000;
  std::size_t resources = 10;
  std::size_t rooms = 100;
};

constexpr std::string_view kUsage =
    "usage: legate-bench-groups --spawn PATH/legate-bench-crowd [--participants N]\n"
    "                           [--resources R] [--rooms N] [--count N] [--warmup N]\n"
    "                           [--window W] [--timeout SECONDS] [--no-pin] [--port P]\n";

GroupOptions parse(int argc, char** argv) {
  GroupOptions opt;
  ArgReader args(argc, argv, kUsage);
  while (args.next()) {
    const std::string& v = args.value();
    if (args.key() == "participants")
      opt.participants = std::stoul(v);
    else if (args.key() == "resources")
      opt.resources = std::stoul(v);
    else if (args.key() == "rooms")
      opt.rooms = std::stoul(v);
    else if (!opt.set(args.key(), v))
      throw std::invalid_argument("unknown option --" + args.key());
  }
  if (opt.spawn.empty() || opt.resources == 0 || opt.participants == 0)
    throw std::invalid_argument("--spawn, and at least one resource and participant, are needed");
  return opt;
}

class GroupServer : public BenchServer {
 public:
  GroupServer(int fd, const GroupOptions& opt, Clock::time_point deadline)
      : BenchServer(fd, {.jid = opt.jid, .secret = opt.secret, .stream_name = "the gateway"},
                    deadline),
        opt_(opt),
        user_("u0@" + user_domain(opt.jid)),
        replied_(opt.count + opt.warmup + 1, 0) {}

  std::string room(std::string_view local) const { return std::string(local) + "@" + opt_.jid; }
  std::string resource(std::size_t r) const { return user_ + "/r" + std::to_string(r); }

  void wait_connected() {
    pump([&] { return connected_; });
    // The rooms are listed after the login: a disco#info answered by the crowd says so.
    while (true) {
      out_ += "<iq type='get' id='disco' from='" + resource(0) + "' to='" + room("crowd") +
              "'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>";
      disco_answer_.clear();
      pump([&] { return !disco_answer_.empty(); });
      if (disco_answer_ == "result") return;
      usleep(20000);
    }
  }

  // Joins `local` from resource `r`; with `wait`, until its subject arrives there.
  void join(std::string_view local, std::size_t r, bool wait) {
    out_ += "<presence from='" + resource(r) + "' to='" + room(local) +
            "/u0'><x xmlns='http://jabber.org/protocol/muc'><history maxchars='0'/></x>"
            "</presence>";
    const std::size_t target = subjects_ + 1;
    if (wait) pump([&] { return subjects_ >= target; });
  }
  void wait_subjects(std::size_t n) {
    pump([&] { return subjects_ >= n; });
  }

  // Sends messages first..last-1 to the crowd, `window` in flight, and waits for every
  // fanned-out copy (reflections and replies at every joined resource).
  void run_messages(std::size_t first, std::size_t last) {
    std::size_t next = first, done = first;
    const std::size_t expected = fanned_out_ + (last - first) * 2 * joined_;
    pump([&] { return done >= last && fanned_out_ >= expected; },
         [&] {
           while (done < last && replied_[done] == 2) ++done;
           while (next < last && next < done + opt_.window) {
             out_ += "<message type='groupchat' id='" + std::to_string(next) + "' from='" +
                     resource(0) + "' to='" + room("crowd") + "'><body>m" + std::to_string(next) +
                     "</body></message>";
             ++next;
           }
         });
  }

  std::size_t stanzas_ = 0, presences_ = 0, subjects_ = 0, fanned_out_ = 0, errors_ = 0;
  std::size_t joined_ = 0;  // resources in the crowd
  std::string first_error_;

 private:
  void on_component_stanza(legate::Element& stanza) override {
    ++stanzas_;
    const std::string_view name = stanza.name();
    if (stanza.attr_or("type") == "error") {
      if (stanza.attr_or("id") == "disco") {
        disco_answer_ = "error";
        return;
      }
      if (errors_++ == 0) first_error_ = stanza.attr_or("from");
      return;
    }
    if (name == "iq") {
      if (stanza.attr_or("id") == "disco")
        disco_answer_ = "result";
      else if (stanza.attr_or("type") == "get" || stanza.attr_or("type") == "set")
        out_ += "<iq type='error' id='" + std::string(stanza.attr_or("id")) + "' from='" +
                std::string(stanza.attr_or("to")) + "' to='" + std::string(stanza.attr_or("from")) +
                "'><error type='cancel'><service-unavailable "
                "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>";
      return;
    }
    if (name == "presence") {
      ++presences_;
      if (stanza.child_text("status", kComponentNs).starts_with("Connected")) connected_ = true;
      return;
    }
    if (stanza.child("subject", kComponentNs)) {
      ++subjects_;
      return;
    }
    const std::string body(stanza.child_text("body", kComponentNs));
    if (body.empty()) return;
    ++fanned_out_;
    if (!stanza.attr_or("to").ends_with("/r0")) return;
    std::uint64_t id = 0;
    const std::string_view number =
        std::string_view(body).substr(body.starts_with("re: m") ? 5 : 1);
    if (parse_id(number, id) && id < replied_.size()) ++replied_[id];
  }

  const GroupOptions& opt_;
  std::string user_;
  std::vector<std::uint8_t> replied_;  // per message: reflection + reply seen at r0
  bool connected_ = false;
  std::string disco_answer_;
};

double kib_per(const PhaseCost& c, double n) {
  return static_cast<double>(c.after->rss_anon_kb - c.before->rss_anon_kb) * 1024 / n;
}

void report(const char* label, const PhaseCost& c, double n, const char* unit) {
  std::printf("%-22s %.1f ms wall, gateway CPU %.1f ms (%.2f ms per %s)\n", label, c.elapsed * 1e3,
              c.component_cpu() * 1e3, c.component_cpu() * 1e3 / n, unit);
}

int run(const GroupOptions& opt) {
  const auto deadline = Clock::now() + from_seconds(opt.timeout);
  const std::string database = "/tmp/legate-bench-groups-" + std::to_string(getpid()) + ".sqlite";
  const ScratchDatabase remove_database(database);
  MessageOptions users;
  users.jid = opt.jid;
  users.users = 1;
  users.contacts = 0;
  prepare_database(database, users);
  setenv("LEGATE_BENCH_PARTICIPANTS", std::to_string(opt.participants).c_str(), 1);
  setenv("LEGATE_BENCH_ROOMS", std::to_string(opt.rooms).c_str(), 1);

  ComponentUnderTest component(opt, database, "");
  const int fd = component.accept(deadline);
  GroupServer server(fd, opt, deadline);
  server.authenticate();
  server.wait_connected();
  const pid_t pid = component.pid();
  const double p = static_cast<double>(opt.participants);
  std::printf(
      "crowd                  %zu participants, %zu resources of the user, %zu small rooms\n",
      opt.participants, opt.resources, opt.rooms);

  const std::size_t presences_before = server.presences_;
  PhaseCost first = measure_phase(pid, [&] { server.join("crowd", 0, true); });
  server.joined_ = 1;
  report("first join", first, 1, "join");
  std::printf("  presences            %zu (participants + self)\n",
              server.presences_ - presences_before);
  std::printf("  RSS per participant  %.0f bytes (RssAnon growth / participants)\n",
              kib_per(first, p));
  if (opt.resources > 1) {
    PhaseCost rejoins = measure_phase(pid, [&] {
      for (std::size_t r = 1; r < opt.resources; ++r) server.join("crowd", r, true);
    });
    server.joined_ = opt.resources;
    report("joins of more resources", rejoins, static_cast<double>(opt.resources - 1), "join");
  }
  if (opt.rooms > 0) {
    const std::size_t target = server.subjects_ + opt.rooms;
    PhaseCost rooms = measure_phase(pid, [&] {
      for (std::size_t i = 0; i < opt.rooms; ++i) server.join("room" + std::to_string(i), 0, false);
      server.wait_subjects(target);
    });
    report("small rooms joined", rooms, static_cast<double>(opt.rooms), "room");
    std::printf("  RSS per room         %.0f bytes (10 participants each, 1 resource joined)\n",
                kib_per(rooms, static_cast<double>(opt.rooms)));
  }
  server.run_messages(0, opt.warmup);
  PhaseCost messages =
      measure_phase(pid, [&] { server.run_messages(opt.warmup, opt.warmup + opt.count); });
  const double n = static_cast<double>(opt.count);
  const double fanned = n * 2 * static_cast<double>(server.joined_);
  std::printf("messages               %zu in %.3f s: %.0f messages/s in, %.0f stanzas/s out\n",
              opt.count, messages.elapsed, n / messages.elapsed, fanned / messages.elapsed);
  std::printf(
      "  gateway CPU          %.2f µs per fanned-out stanza, %.1f µs per message "
      "(%.0f%% of a core)\n",
      messages.component_cpu() * 1e6 / fanned, messages.component_cpu() * 1e6 / n,
      100 * messages.component_cpu() / messages.elapsed);
  if (messages.after)
    std::printf("component RSS          %ld KiB (RssAnon %ld KiB, peak %ld KiB)\n",
                messages.after->rss_kb, messages.after->rss_anon_kb, messages.after->peak_rss_kb);
  std::printf("errors                 %zu%s%s\n", server.errors_,
              server.errors_ ? " first from " : "", server.first_error_.c_str());
  const int status = component.stop(server, std::chrono::seconds(20));
  close(fd);
  report_exit_status(status);
  return server.errors_ || status != 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return run_main("legate-bench-groups", kUsage, [&] { return run(parse(argc, argv)); });
}
