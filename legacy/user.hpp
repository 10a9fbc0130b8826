// User: a registered (or registering) user of the gateway as bridges see it, with typed
// access to the bridge's legacy data (Boost.JSON value_to) and to the user's preferences.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/json/value_to.hpp>

#include "../component/jid.hpp"
#include "../storage/json.hpp"

namespace legate {

struct User {
  Jid jid;              // bare JID
  Json legacy_data;     // the bridge's credentials/session data (validate(), update_legacy_data())
  Json preferences;     // per-user settings: an object, declared keys filled with their defaults
  std::int64_t id = 0;  // database id; 0 while the registration is not finished
  bool registered() const { return id != 0; }

  // The legacy data as the bridge's own type, through boost::json::value_to<T> (give T a
  // tag_invoke, or use a described struct). Throws std::invalid_argument when it does not fit.
  template <class T>
  T data() const;

  // A preference as bool, an integer type or std::string; `fallback` when it is not set.
  // Booleans accept what data forms send ("1"/"true", "0"/"false"). Throws
  // std::invalid_argument when the stored value does not convert.
  template <class T>
  T preference(std::string_view key, T fallback = T{}) const;
};

template <class T>
T User::data() const {
  try {
    return boost::json::value_to<T>(legacy_data);
  } catch (const std::exception& e) {
    throw std::invalid_argument("the legacy data of " + jid.bare_str() +
                                " does not fit the bridge's type: " + e.what());
  }
}

template <class T>
T User::preference(std::string_view key, T fallback) const {
  if (!preferences.is_object()) return fallback;
  const auto* value = preferences.as_object().if_contains(key);
  if (!value || value->is_null()) return fallback;
  const auto bad = [&] {
    return std::invalid_argument("preference " + std::string(key) + " of " + jid.bare_str() +
                                 " has an unexpected value");
  };
  const std::string_view text =
      value->is_string() ? std::string_view(value->as_string()) : std::string_view();
  if constexpr (std::is_same_v<T, bool>) {
    if (value->is_bool()) return value->as_bool();
    if (text == "1" || text == "true") return true;
    if (text == "0" || text == "false") return false;
    throw bad();
  } else if constexpr (std::is_integral_v<T>) {
    if (value->is_int64() || value->is_uint64()) return boost::json::value_to<T>(*value);
    T out{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) throw bad();
    return out;
  } else {
    static_assert(std::is_same_v<T, std::string>, "preference<T>: bool, integers or std::string");
    if (!value->is_string()) throw bad();
    return std::string(text);
  }
}

}  // namespace legate
