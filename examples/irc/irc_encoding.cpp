// Recoder: iconv, one handle per direction and connection.
#include "irc_encoding.hpp"

#include <cerrno>
#include <stdexcept>

#include "irc_text.hpp"

namespace irc {

void Recoder::Close::operator()(void* cd) const {
  iconv_close(static_cast<iconv_t>(cd));
}

Recoder::Recoder(const std::string& from, const std::string& to) {
  iconv_t cd = iconv_open(to.c_str(), from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1))
    throw std::invalid_argument("unknown encoding: " + from + " or " + to);
  cd_.reset(cd);
}

std::optional<std::string> Recoder::convert(std::string_view text) {
  auto cd = static_cast<iconv_t>(cd_.get());
  iconv(cd, nullptr, nullptr, nullptr, nullptr);  // a fresh shift state for each text
  std::string out(text.size() * 4 + 16, '\0');    // any encoding to UTF-8 grows 4× at most
  char* in = const_cast<char*>(text.data());      // iconv's API; it does not write there
  std::size_t in_left = text.size();
  char* to = out.data();
  std::size_t out_left = out.size();
  while (in_left > 0) {
    if (iconv(cd, &in, &in_left, &to, &out_left) != static_cast<std::size_t>(-1)) break;
    if (errno != E2BIG) return std::nullopt;  // EILSEQ, EINVAL: not this encoding
    const std::size_t used = out.size() - out_left;
    out.resize(out.size() * 2);
    to = out.data() + used;
    out_left = out.size() - used;
  }
  if (iconv(cd, nullptr, nullptr, &to, &out_left) == static_cast<std::size_t>(-1))
    return std::nullopt;
  out.resize(out.size() - out_left);
  return out;
}

bool usable_encoding(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  try {
    Recoder there("UTF-8", name);
    Recoder back(name, "UTF-8");
    const auto ascii = there.convert("PRIVMSG #x :a");
    return ascii && *ascii == "PRIVMSG #x :a" && back.convert(*ascii) == ascii;
  } catch (const std::invalid_argument&) {
    return false;
  }
}

std::string utf8_line(std::string line, Recoder* fallback) {
  if (!fallback || valid_utf8(line)) return line;
  std::optional<std::string> converted = fallback->convert(line);
  return converted ? std::move(*converted) : std::move(line);
}

}  // namespace irc
