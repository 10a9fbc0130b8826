// Escaping of text and attribute values for XML output. Text from legacy networks is
// untrusted: characters XML 1.0 forbids and invalid UTF-8 are replaced, never written.
#pragma once

#include <string>
#include <string_view>

namespace legate {

// Appends `text` escaped for element content.
void append_escaped_text(std::string& out, std::string_view text);
// Appends `value` escaped for an attribute value delimited by single quotes.
void append_escaped_attr(std::string& out, std::string_view value);
// True when `text` is valid UTF-8 made only of characters XML 1.0 allows.
bool is_valid_xml_text(std::string_view text);

}  // namespace legate
