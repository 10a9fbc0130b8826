// Data-form fields in chat: options are numbered so that a phone keyboard suffices, and
// booleans read yes/no in the usual spellings.
#include "commands/chat_fields.hpp"

#include <algorithm>
#include <charconv>

namespace legate::chat {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Tokens separated by white space and/or commas (list-multi numbers, jid-multi addresses).
std::vector<std::string> tokens(std::string_view s) {
  std::vector<std::string> out;
  std::string current;
  for (char c : s) {
    if (is_space(c) || c == ',') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

std::string title_of(const FormField& f) {
  return f.label.empty() ? f.var : f.label;
}

std::string option_text(const FormOption& o) {
  return o.label.empty() ? o.value : o.label;
}

// The field's current value as the user should read it (never a secret itself).
std::string shown_value(const FormField& f) {
  if (!has_value(f)) return {};
  if (f.type == FieldType::text_private) return "(set)";
  if (f.type == FieldType::boolean) return f.as_bool().value_or(false) ? "yes" : "no";
  std::string out;
  for (const auto& v : f.values) {
    std::string shown = v;
    for (const auto& o : f.options)
      if (o.value == v) shown = option_text(o);
    out += (out.empty() ? "" : ", ") + shown;
  }
  return out;
}

// The option an answer names: by its number in the list, its value or its label.
const FormOption* pick(const FormField& f, std::string_view answer) {
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(answer.data(), answer.data() + answer.size(), n);
  if (ec == std::errc() && end == answer.data() + answer.size() && n >= 1 && n <= f.options.size())
    return &f.options[n - 1];
  for (const auto& o : f.options)
    if (o.value == answer) return &o;
  for (const auto& o : f.options)
    if (!o.label.empty() && lower(o.label) == lower(answer)) return &o;
  return nullptr;
}

Parsed not_an_option(const FormField& f, std::string_view answer) {
  return {{},
          "'" + std::string(answer) +
              "' is not one of the options: answer with a number from 1 to " +
              std::to_string(f.options.size()) + "."};
}

}  // namespace

std::optional<bool> yes_no(std::string_view answer) {
  const std::string a = lower(trim(answer));
  if (a == "yes" || a == "y" || a == "true" || a == "1" || a == "on") return true;
  if (a == "no" || a == "n" || a == "false" || a == "0" || a == "off") return false;
  return std::nullopt;
}

bool has_value(const FormField& f) {
  return std::any_of(f.values.begin(), f.values.end(), [](const auto& v) { return !v.empty(); });
}

std::string prompt_for(const FormField& f) {
  std::string p = title_of(f);
  if (f.type == FieldType::text_private) p += " (private)";
  if (!f.desc.empty()) p += "\n" + f.desc;
  for (std::size_t i = 0; i < f.options.size(); ++i)
    p += "\n" + std::to_string(i + 1) + ". " + option_text(f.options[i]);
  switch (f.type) {
    case FieldType::boolean:
      p += "\nAnswer yes or no.";
      break;
    case FieldType::list_single:
      if (!f.options.empty()) p += "\nAnswer with a number.";
      break;
    case FieldType::list_multi:
      if (!f.options.empty()) p += "\nAnswer with one or more numbers, separated by spaces.";
      break;
    case FieldType::jid_multi:
      p += "\nSeveral addresses: separate them with spaces.";
      break;
    case FieldType::text_multi:
      p += "\nOne value per line.";
      break;
    default:
      break;
  }
  if (const std::string current = shown_value(f); !current.empty()) {
    p += "\nCurrent: " + current + ". Send 'skip' to keep it";
    p += f.required || f.type == FieldType::boolean ? "." : ", '-' to clear it.";
  } else if (!f.required) {
    p += "\nOptional: send 'skip' to leave it empty.";
  }
  return p;
}

Parsed parse_answer(const FormField& f, std::string_view raw) {
  // A password may start or end with spaces; only the line break a client adds goes.
  const std::string_view a = f.type == FieldType::text_private ? raw : trim(raw);
  switch (f.type) {
    case FieldType::boolean:
      if (auto b = yes_no(a)) return {{*b ? "1" : "0"}, {}};
      return {{}, "Please answer yes or no."};
    case FieldType::list_single:
      if (f.options.empty()) break;
      if (const FormOption* o = pick(f, a)) return {{o->value}, {}};
      return not_an_option(f, a);
    case FieldType::list_multi: {
      if (f.options.empty()) return {tokens(a), {}};
      if (const FormOption* o = pick(f, a)) return {{o->value}, {}};  // a label with spaces
      Parsed out;
      for (const auto& t : tokens(a)) {
        const FormOption* o = pick(f, t);
        if (!o) return not_an_option(f, t);
        if (std::find(out.values.begin(), out.values.end(), o->value) == out.values.end())
          out.values.push_back(o->value);
      }
      return out;
    }
    case FieldType::jid_multi:
      return {tokens(a), {}};
    case FieldType::text_multi: {
      Parsed out;
      std::size_t start = 0;
      for (;;) {
        const auto nl = a.find('\n', start);
        std::string_view line = a.substr(start, nl == std::string_view::npos ? a.npos : nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out.values.emplace_back(line);
        if (nl == std::string_view::npos) break;
        start = nl + 1;
      }
      return out;
    }
    default:
      break;
  }
  return {{std::string(a)}, {}};
}

}  // namespace legate::chat
