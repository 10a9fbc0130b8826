// The benchmarks' common options and argument reader (options.hpp).
#include "bench/options.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <stdexcept>

namespace legate::bench {

bool CommonOptions::set(const std::string& key, const std::string& value) {
  if (key == "--no-pin")
    pin = false;
  else if (key == "--spawn")
    spawn = value;
  else if (key == "--pid")
    pid = static_cast<pid_t>(std::stol(value));
  else if (key == "--port")
    port = static_cast<std::uint16_t>(std::stoul(value));
  else if (key == "--count")
    count = std::stoul(value);
  else if (key == "--warmup")
    warmup = std::stoul(value);
  else if (key == "--window")
    window = std::max<std::size_t>(1, std::stoul(value));
  else if (key == "--timeout")
    timeout = std::stod(value);
  else if (key == "--jid")
    jid = value;
  else if (key == "--secret")
    secret = value;
  else
    return false;
  return true;
}

ArgReader::ArgReader(int argc, char** argv, std::string_view usage,
                     std::initializer_list<std::string_view> flags)
    : argc_(argc), argv_(argv), usage_(usage), flags_(flags) {}

bool ArgReader::is_flag(std::string_view key) const {
  return key == "--help" || key == "--no-pin" ||
         std::find(flags_.begin(), flags_.end(), key) != flags_.end();
}

bool ArgReader::next() {
  if (++i_ >= argc_) return false;
  key_ = argv_[i_];
  value_.clear();
  if (auto eq = key_.find('='); eq != std::string::npos) {
    value_ = key_.substr(eq + 1);
    key_.resize(eq);
  } else if (!is_flag(key_)) {
    if (i_ + 1 >= argc_) throw std::invalid_argument(key_ + " needs a value");
    value_ = argv_[++i_];
  }
  if (key_ == "--help") {
    std::cout << usage_;
    std::exit(0);
  }
  return true;
}

int run_main(std::string_view program, std::string_view usage, const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::invalid_argument& e) {
    std::cerr << program << ": " << e.what() << "\n" << usage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << program << ": error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace legate::bench
