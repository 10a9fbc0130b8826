// legate-bench-avatars: the avatar path alone, in one process, on a database on disk:
// --contacts contacts get avatars drawn from --images distinct pictures (every
// --large-every-th one larger than 200 px, so it is scaled down), the way Contact::set_avatar
// stores them (normalised, hashed, stored once by hash, the contact row pointing at it);
// then every contact's image is served once (the XEP-0084 data / vCard read). Reports the
// CPU per avatar set and served, the database bytes per contact and the process's RSS,
// which must not grow with the images (they are never all held in memory).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "bench/scratch_database.hpp"
#include "component/digest.hpp"
#include "legacy/avatar_image.hpp"
#include "legacy/stored_avatar.hpp"
#include "storage/avatar_store.hpp"
#include "storage/contact_store.hpp"
#include "storage/database.hpp"
#include "storage/json.hpp"
#include "storage/user_store.hpp"

namespace {

using namespace legate;
namespace fs = std::filesystem;

struct Options {
  std::size_t contacts = 10000;
  std::size_t images = 1000;
  std::size_t large_every = 10;  // every n-th image is 400x400 (0: none)
  std::string dir = "/tmp";
};

// Picture `n`: a gradient with noise (photos compress about as badly), 96 px or 400 px.
std::string picture(std::size_t n, const Options& o) {
  const int side = o.large_every && n % o.large_every == 0 ? 400 : 96;
  std::mt19937 noise(static_cast<unsigned>(n));
  std::vector<std::uint8_t> px(static_cast<std::size_t>(side) * side * 4);
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      std::uint8_t* p = &px[(static_cast<std::size_t>(y) * side + x) * 4];
      p[0] = static_cast<std::uint8_t>(n * 37 + x + (noise() & 15));
      p[1] = static_cast<std::uint8_t>(n * 11 + y + (noise() & 15));
      p[2] = static_cast<std::uint8_t>(n + x + y);
      p[3] = 0xff;
    }
  return encode_png(side, side, px);
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long status_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(field)) return std::stol(line.substr(std::string_view(field).size()));
  return -1;
}

std::uintmax_t size_of(const std::string& path) {
  std::uintmax_t total = 0;
  for (const char* suffix : {"", "-wal"})
    if (fs::exists(path + suffix)) total += fs::file_size(path + suffix);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--contacts")
      o.contacts = std::stoul(value);
    else if (flag == "--images")
      o.images = std::stoul(value);
    else if (flag == "--large-every")
      o.large_every = std::stoul(value);
    else if (flag == "--dir")
      o.dir = value;
    else
      return std::cerr << "unknown option " << flag << "\n", 2;
  }
  const std::string path = o.dir + "/legate-bench-avatars-" + std::to_string(getpid()) + ".sqlite";
  bench::ScratchDatabase scratch(path);
  Database db(path);
  const std::int64_t user = UserStore(db).add(Jid("u@localhost"), Json{}).id;
  ContactStore contacts(db);
  for (std::size_t c = 0; c < o.contacts; ++c) {
    ContactRecord r;
    r.user_id = user;
    r.legacy_id = "c" + std::to_string(c);
    r.local = r.legacy_id;
    r.name = "Contact " + std::to_string(c);
    contacts.upsert(r);
  }
  db.checkpoint();
  const std::uintmax_t bytes_before = size_of(path);

  // The pictures, drawn once into files (as a bridge downloads them), so that the process
  // never holds them all; reading them is the bridge's side, measured alone and subtracted.
  const fs::path pictures = path + ".pictures";
  fs::create_directories(pictures);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{pictures};
  for (std::size_t i = 0; i < std::min(o.images, o.contacts); ++i)
    std::ofstream(pictures / std::to_string(i), std::ios::binary) << picture(i, o);
  auto load = [&](std::size_t c) {
    std::ifstream in(pictures / std::to_string(c % o.images), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  double t0 = cpu_seconds();
  std::size_t drawn = 0;
  for (std::size_t c = 0; c < o.contacts; ++c) drawn += load(c).size();
  const double draw = cpu_seconds() - t0;

  const long rss_before = status_kb("VmRSS:"), anon_before = status_kb("RssAnon:");
  std::vector<std::string> hashes(o.contacts);
  t0 = cpu_seconds();
  for (std::size_t c = 0; c < o.contacts; ++c) {
    ContactRecord r = *contacts.by_legacy_id(user, "c" + std::to_string(c));
    replace_avatar(db, r.avatar_hash, load(c), "image/png", "bench", [&] { contacts.upsert(r); });
    hashes[c] = r.avatar_hash;
  }
  const double set = cpu_seconds() - t0 - draw;
  const long rss_set = status_kb("VmRSS:"), anon_set = status_kb("RssAnon:");

  t0 = cpu_seconds();
  std::size_t served = 0, wrong = 0;
  AvatarStore store(db);
  for (std::size_t c = 0; c < o.contacts; ++c) {
    auto avatar = store.get(hashes[c]);
    served += avatar ? avatar->bytes.size() : 0;
    if (!avatar || sha1_hex(avatar->bytes) != hashes[c]) ++wrong;
  }
  const double serve = cpu_seconds() - t0;
  db.checkpoint();
  const std::uintmax_t bytes_after = size_of(path);
  std::int64_t stored = 0;
  {
    StatementScope count(db.statement("SELECT count(*) FROM avatars"));
    count->step();
    stored = count->column_int(0);
  }
  const double n = static_cast<double>(o.contacts);
  std::printf("contacts %zu, distinct images %zu (every %zu-th 400 px), stored %lld\n", o.contacts,
              o.images, o.large_every, static_cast<long long>(stored));
  std::printf(
      "pictures read from files by the bench: %.1f KiB average, %.1f us each (subtracted)\n",
      static_cast<double>(drawn) / n / 1024, draw / n * 1e6);
  std::printf("set_avatar path: %.1f us CPU per contact\n", set / n * 1e6);
  std::printf("served (store read + SHA-1 check): %.1f us per contact, %.1f KiB average\n",
              serve / n * 1e6, static_cast<double>(served) / n / 1024);
  std::printf("database: %.0f bytes per contact for avatars (%.1f MiB in all)\n",
              static_cast<double>(bytes_after - bytes_before) / n,
              static_cast<double>(bytes_after) / 1048576);
  std::printf("RSS: %ld KiB before, %ld after setting, %ld after serving (anon %ld -> %ld)\n",
              rss_before, rss_set, status_kb("VmRSS:"), anon_before, anon_set);
  if (wrong || stored != static_cast<std::int64_t>(std::min(o.images, o.contacts))) {
    std::printf("FAILED: %zu wrong images, %lld stored\n", wrong, static_cast<long long>(stored));
    return 1;
  }
  return 0;
}
