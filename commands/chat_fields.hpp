// Chat commands' reading and writing of data-form fields: the question a field becomes in
// chat, and the field's values read back from the user's answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../component/form.hpp"
#include "../component/text.hpp"

namespace legate::chat {

using legate::lower;  // ASCII only: keywords and yes/no
using legate::trim;
// yes/y/true/1/on or no/n/false/0/off, any case; nullopt for anything else.
std::optional<bool> yes_no(std::string_view answer);
// Whether the field carries a non-empty value (its default, in a form being asked).
bool has_value(const FormField& f);

// The question for a field: label, description, numbered options, how to answer, the
// current value and whether it can be skipped.
std::string prompt_for(const FormField& f);

struct Parsed {
  std::vector<std::string> values;
  std::string error;  // non-empty: the answer does not fit; ask again
};
// The field's values from an answer ('abort', 'skip' and '-' are the caller's business).
Parsed parse_answer(const FormField& f, std::string_view answer);

}  // namespace legate::chat
