// JSON text conversion for stored legacy data and preferences (see json.hpp).
#include "storage/json.hpp"

#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace legate {

std::string to_json_text(const Json& value) {
  return boost::json::serialize(value);
}

Json parse_json_text(std::string_view text) {
  boost::json::parse_options options;
  // Boost's default of 32 is tight for bridge data that nests lists of objects; 64 still
  // bounds the parser's recursion on a corrupted or hostile value.
  options.max_depth = 64;
  boost::system::error_code ec;
  Json value =
      boost::json::parse(boost::json::string_view(text.data(), text.size()), ec, {}, options);
  if (ec) throw std::invalid_argument("json: " + ec.message());
  return value;
}

}  // namespace legate
