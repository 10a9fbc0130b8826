// Writing legate-bench-msg's database of users and contacts (message_database.hpp).
#include "bench/message_database.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "bench/clock.hpp"
#include "component/jid.hpp"
#include "storage/contact_store.hpp"
#include "storage/database.hpp"
#include "storage/user_store.hpp"

namespace legate::bench {
namespace {

// "<prefix><n>". Appending, where `"c" + std::to_string(n)` would read better: at -O3,
// GCC 12's -Wrestrict misfires on that in this file, and -Dwerror=true makes it fatal.
std::string numbered(std::string prefix, std::size_t n) {
  prefix += std::to_string(n);
  return prefix;
}

}  // namespace

std::string contact_local(std::size_t j) {
  return j < std::size(kEchoContacts) ? std::string(kEchoContacts[j]) : numbered("c", j);
}

std::string user_domain(const std::string& component) {
  const auto dot = component.find('.');
  return dot == std::string::npos ? component : component.substr(dot + 1);
}

void prepare_database(const std::string& path, const MessageOptions& opt) {
  legate::Database db(path);
  legate::UserStore users(db);
  legate::ContactStore contacts(db);
  const std::string domain = user_domain(opt.jid);
  legate::Transaction tx(db);
  for (std::size_t i = 0; i < opt.users; ++i) {
    const std::string name = numbered("u", i);
    const legate::UserRecord user =
        users.add(legate::Jid(name + "@" + domain),
                  boost::json::object{{"username", name}, {"verified", true}});
    for (std::size_t j = 0; j < opt.contacts; ++j) {
      legate::ContactRecord c;
      c.user_id = user.id;
      c.legacy_id = c.local = contact_local(j);
      c.in_roster = true;
      c.is_friend = true;
      if (j < std::size(kEchoContacts)) {
        std::string shown = c.legacy_id;  // "alice" -> "Alice Echo"
        shown[0] = static_cast<char>(shown[0] - 32);
        c.name = shown + " Echo";
        c.presence_status = "Echoing everything";
      } else {
        c.name = numbered("Contact ", j);
        c.presence_show = "unavailable";
      }
      contacts.upsert(c);
    }
  }
  tx.commit();
}

void ready_database(const std::string& path, bool reuse, const MessageOptions& opt) {
  if (reuse && std::filesystem::exists(path)) {
    legate::Database db(path);
    const std::size_t users = legate::UserStore(db).count();
    if (users != opt.users)
      throw std::invalid_argument(path + " has " + std::to_string(users) + " users, not --users " +
                                  std::to_string(opt.users));
    std::printf("database           %s (reused)\n", path.c_str());
  } else {
    const auto t0 = Clock::now();
    prepare_database(path, opt);
    std::printf("database           %s: %zu users x %zu contacts prepared in %.2f s\n",
                path.c_str(), opt.users, opt.contacts, seconds_between(t0, Clock::now()));
  }
  std::error_code size_error;
  const auto db_bytes = std::filesystem::file_size(path, size_error);
  if (!size_error) std::printf("database size      %.1f MB\n", static_cast<double>(db_bytes) / 1e6);
}

}  // namespace legate::bench
