// Avatar images as Legate stores and serves them: PNG, at most kMaxAvatarSide pixels a side
// (XEP-0084 recommends small images; clients show them at 32-64 px). A bridge hands in PNG
// of any size (decoded and, when larger, scaled down with libpng); other formats are passed
// on unchanged when their size can be read and is within the limit (JPEG, GIF), else refused.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace legate {

inline constexpr int kMaxAvatarSide = 200;

struct AvatarImage {
  std::string bytes;
  std::string type;  // MIME type of bytes
  int width = 0;
  int height = 0;
};

// Not an image Legate can serve (the message says why, for the bridge's log).
class AvatarError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The image to store for `bytes` of MIME type `type` (the type is checked against the
// bytes' signature). Throws AvatarError.
AvatarImage normalize_avatar(std::string bytes, std::string_view type);

// A PNG of width x height pixels, 4 bytes each (R, G, B, A), row by row: for bridges that
// draw avatars (initials, placeholders). Throws AvatarError.
std::string encode_png(int width, int height, std::span<const std::uint8_t> rgba);

}  // namespace legate
