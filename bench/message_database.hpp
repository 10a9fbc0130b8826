// The database that legate-bench-msg runs the gateway on: N registered users u0…uN-1 at
// the component JID's parent domain, each with M stored contacts, written with Legate's
// own stores before the gateway starts, as a gateway restarting with established users
// would find it.
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>

#include "bench/message_options.hpp"

namespace legate::bench {

// The contacts the echo network's fill() returns; they are stored first.
inline constexpr std::string_view kEchoContacts[] = {"alice", "bob", "carol"};

// The JID local part of contact j (the first ones are the echo network's).
std::string contact_local(std::size_t j);

// The users' server: the component JID's parent domain (gw.localhost -> localhost).
std::string user_domain(const std::string& component);

// Registers `users` users with `contacts` stored contacts each, as an established gateway
// would have them after earlier runs: in the roster, named, the echo ones online.
void prepare_database(const std::string& path, const MessageOptions& opt);

// Prepares the database at `path`, or with `reuse` takes the one already there (it must
// have --users users), and prints the "database" lines of the report.
void ready_database(const std::string& path, bool reuse, const MessageOptions& opt);

}  // namespace legate::bench
