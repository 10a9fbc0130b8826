// Escaping for XML output, with replacement of what XML 1.0 cannot carry.
#include "component/xml_escape.hpp"

#include <cstdint>

namespace legate {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at text[i] whose code point XML 1.0 allows, or 0.
std::size_t valid_sequence_length(std::string_view text, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  if (b0 < 0x80) return (b0 >= 0x20 || b0 == '\t' || b0 == '\n' || b0 == '\r') ? 1 : 0;
  std::size_t len;
  std::uint32_t cp;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr std::uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[len]) return 0;                        // overlong
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;                   // surrogate
  if (cp == 0xFFFE || cp == 0xFFFF || cp > 0x10FFFF) return 0;  // not XML Chars
  return len;
}

template <bool kAttr>
void append_escaped(std::string& out, std::string_view in) {
  out.reserve(out.size() + in.size());
  std::size_t run_start = 0;
  std::size_t i = 0;
  auto flush = [&](std::size_t end) { out.append(in.data() + run_start, end - run_start); };
  while (i < in.size()) {
    const char c = in[i];
    const auto uc = static_cast<unsigned char>(c);
    std::string_view replacement;
    std::size_t advance = 1;
    if (c == '&') {
      replacement = "&amp;";
    } else if (c == '<') {
      replacement = "&lt;";
    } else if (c == '>') {
      replacement = "&gt;";
    } else if (kAttr && c == '\'') {
      replacement = "&apos;";
    } else if (kAttr && c == '"') {
      replacement = "&quot;";
    } else if (kAttr && (c == '\n' || c == '\r' || c == '\t')) {
      // Attribute-value normalisation would turn these into spaces; keep them as refs.
      replacement = c == '\n' ? "&#10;" : (c == '\r' ? "&#13;" : "&#9;");
    } else if (uc >= 0x20 && uc < 0x80) {
      ++i;
      continue;
    } else {
      advance = valid_sequence_length(in, i);
      if (advance != 0) {
        if (!(!kAttr && c == '\r')) {
          i += advance;
          continue;
        }
        replacement = "&#13;";  // a raw CR in content would be normalised away by parsers
      } else {
        replacement = kReplacement;
        advance = 1;
      }
    }
    flush(i);
    out.append(replacement);
    i += advance;
    run_start = i;
  }
  flush(i);
}

}  // namespace

void append_escaped_text(std::string& out, std::string_view text) {
  append_escaped<false>(out, text);
}

void append_escaped_attr(std::string& out, std::string_view value) {
  append_escaped<true>(out, value);
}

bool is_valid_xml_text(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = valid_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace legate
