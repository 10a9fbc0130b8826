// Parsing of one standalone XML element from a string (tests, fixtures, configuration).
// Goes through the same hardened stream parser as the network.
#pragma once

#include <string_view>

#include "element.hpp"

namespace legate {

// Parses `xml` as one element whose default namespace is `default_ns` unless it declares
// its own. Throws std::invalid_argument on malformed or restricted XML.
Element parse_element(std::string_view xml,
                      std::string_view default_ns = "jabber:component:accept");

}  // namespace legate
