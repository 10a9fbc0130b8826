// Command-line handling shared by the benchmarks: the options that every one of them has
// (where the component is, how much load, how long), a reader of "--key value",
// "--key=value" and flags, and the main() that maps errors to exit statuses.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace legate::bench {

// A benchmark's options struct derives from this and sets the defaults that differ.
struct CommonOptions {
  std::uint16_t port = 0;
  std::string spawn;  // path to the component, or empty (connect a component yourself)
  pid_t pid = 0;      // --pid: measure an already running component
  std::size_t count = 0;
  std::size_t warmup = 5000;
  std::size_t window = 1;
  double timeout = 0;
  bool pin = true;
  std::string jid;
  std::string secret = "S";

  // Sets option `key` from `value` if it is one of these; false if it is not.
  bool set(const std::string& key, const std::string& value);
};

// Walks argv one option at a time.
class ArgReader {
 public:
  // `flags` take no value, nor do --help and --no-pin. --help prints `usage` and exits 0.
  ArgReader(int argc, char** argv, std::string_view usage,
            std::initializer_list<std::string_view> flags = {});

  // Moves to the next option; false after the last. Throws std::invalid_argument when an
  // option other than a flag has no value.
  bool next();
  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }

 private:
  bool is_flag(std::string_view key) const;

  int argc_;
  char** argv_;
  int i_ = 0;
  std::string_view usage_;
  std::vector<std::string_view> flags_;
  std::string key_, value_;
};

// A benchmark's main(): runs `body` and returns its status; on std::invalid_argument (bad
// arguments) prints it with the usage and returns 2, on any other error returns 1.
int run_main(std::string_view program, std::string_view usage, const std::function<int()>& body);

}  // namespace legate::bench
