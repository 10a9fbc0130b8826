// JSON values for the storage layer: the bridge's legacy data and the user's preferences are
// stored as JSON text, and Boost.JSON is the in-memory form the rest of Legate works with.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace legate {

using Json = boost::json::value;

// Serialises compactly (no whitespace); the inverse of parse_json_text.
std::string to_json_text(const Json& value);

// Parses strict JSON (no comments, no trailing commas, valid UTF-8, nesting up to 64 levels);
// throws std::invalid_argument naming the problem for anything else.
Json parse_json_text(std::string_view text);

}  // namespace legate
