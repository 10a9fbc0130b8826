// legate-bench-writes: the storage write path alone, in one process, on a database on disk:
// what one mapped message (IdMap::put, 1:1 traffic) or one archived group message
// (RoomArchive::append plus its id-map row, as Participant::text_message does) costs in CPU,
// the event loop and the storage writer thread together, sustained over --count messages.
// Ids are random (the worst case for any index). At the end a sample of lookups is checked,
// so a fast but broken write path cannot pass.
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include "bench/scratch_database.hpp"
#include "storage/database.hpp"
#include "storage/id_map.hpp"
#include "storage/json.hpp"
#include "storage/room_archive.hpp"
#include "storage/room_store.hpp"
#include "storage/storage_writer.hpp"
#include "storage/user_store.hpp"

namespace {

using namespace legate;
namespace fs = std::filesystem;

struct Options {
  std::string kind = "ids";  // ids | archive | none (ids made, nothing stored)
  std::size_t count = 1000000;
  std::size_t users = 100;
  std::string dir = "/tmp";
  std::size_t chunk = 500;  // puts per loop turn (the loop's other work runs between)
};

double cpu_seconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

// CPU seconds of this process's thread named `name` (the storage writer), -1 if none.
double thread_cpu(const std::string& name) {
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string n;
    std::getline(comm, n);
    if (n != name) continue;
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return -1;
}

std::string random_id(std::mt19937_64& rng) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--kind")
      o.kind = value;
    else if (key == "--count")
      o.count = std::stoul(value);
    else if (key == "--users")
      o.users = std::stoul(value);
    else if (key == "--dir")
      o.dir = value;
    else if (key == "--chunk")
      o.chunk = std::stoul(value);
    else
      throw std::invalid_argument("unknown option " + key);
  }
  if (argc % 2 == 0 || (o.kind != "ids" && o.kind != "archive" && o.kind != "none") || o.users == 0)
    throw std::invalid_argument(
        "usage: legate-bench-writes [--kind ids|archive|none] [--count N] [--users N] [--dir D]");
  return o;
}

}  // namespace

int main(int argc, char** argv) try {
  const Options o = parse(argc, argv);
  const std::string path = o.dir + "/legate-bench-writes-" + std::to_string(getpid()) + ".sqlite";
  bench::ScratchDatabase scratch(path);
  Database db(path);
  std::vector<std::int64_t> users, rooms;
  {
    UserStore store(db);
    RoomStore room_store(db);
    for (std::size_t u = 0; u < o.users; ++u) {
      users.push_back(store.add(Jid("u" + std::to_string(u) + "@localhost"), Json{}).id);
      RoomRecord room;
      room.user_id = users.back();
      room.legacy_id = room.local = "room" + std::to_string(u);
      rooms.push_back(room_store.upsert(room).id);
    }
  }
  asio::io_context io;
  StorageWriter writer(db);
  IdMap ids(db, io.get_executor(), &writer);
  RoomArchive archive(db, io.get_executor(), &writer);
  std::mt19937_64 rng(42);
  std::vector<std::tuple<std::size_t, std::string, std::string>> sample;  // (user, xmpp, legacy)

  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_seconds(RUSAGE_SELF),
               writer0 = std::max(0.0, thread_cpu("legate-storage"));
  std::size_t done = 0;
  std::function<void()> chunk = [&] {
    for (std::size_t end = std::min(o.count, done + o.chunk); done < end; ++done) {
      const std::size_t u = done % o.users;
      std::string legacy = random_id(rng);
      if (o.kind == "none") {  // the ids only: this program's own share of the figures
        std::string xmpp = random_id(rng);
        if (xmpp.size() + legacy.size() == 1) sample.emplace_back(u, xmpp, legacy);
      } else if (o.kind == "ids") {
        // 1:1: a user's message (the client's id) or a contact's (an id of ours), alternately.
        std::string xmpp = random_id(rng);
        ids.put(users[u], done % 2 ? "message" : "user-message", xmpp, legacy);
        if (done % 9973 == 0) sample.emplace_back(u, std::move(xmpp), std::move(legacy));
      } else {
        std::string stanza_id = archive.new_stanza_id();
        ids.put(users[u], "group:room", stanza_id, legacy);
        archive.append({.room_id = rooms[u],
                        .ts_ms = static_cast<std::int64_t>(1700000000000 + done),
                        .stanza_id = stanza_id,
                        .xmpp_id = stanza_id,
                        .legacy_id = legacy,
                        .nick = "participant" + std::to_string(done % 50),
                        .payload = "<body xmlns='jabber:client'>a message of a typical length, "
                                   "about sixty characters</body>"});
        if (done % 9973 == 0) sample.emplace_back(u, std::move(stanza_id), std::move(legacy));
      }
    }
    if (done < o.count) asio::post(io, chunk);
  };
  asio::post(io, chunk);
  io.run();
  ids.sync();
  archive.sync();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double cpu = cpu_seconds(RUSAGE_SELF) - cpu0;
  const double writer_cpu = thread_cpu("legate-storage") - writer0;

  std::size_t wrong = 0;
  const std::string kind_of_sample = o.kind == "ids" ? "" : "group:room";
  if (o.kind == "none") sample.clear();
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const auto& [u, xmpp, legacy] = sample[i];
    const std::string kind =
        o.kind == "ids" ? (i * 9973 % 2 ? "message" : "user-message") : kind_of_sample;
    if (ids.legacy_id(users[u], kind, xmpp) != legacy) ++wrong;
    if (ids.xmpp_id(users[u], kind, legacy) != xmpp) ++wrong;
  }
  const auto size =
      fs::file_size(path) + (fs::exists(path + "-wal") ? fs::file_size(path + "-wal") : 0);
  std::printf("kind %s, %zu messages, %zu users, database %s\n", o.kind.c_str(), o.count, o.users,
              path.c_str());
  std::printf("wall %.2f s, %.0f messages/s\n", wall, o.count / wall);
  std::printf("CPU %.2f us per message (loop + writer), of which writer thread %.2f us\n",
              cpu / o.count * 1e6, writer_cpu / o.count * 1e6);
  std::printf("database + WAL %.0f bytes per message\n", static_cast<double>(size) / o.count);
  std::printf("sample lookups: %zu of %zu wrong\n", wrong, sample.size() * 2);
  return wrong == 0 ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << "legate-bench-writes: " << e.what() << "\n";
  return 2;
}
