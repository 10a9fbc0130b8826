// Avatar images (see avatar_image.hpp): PNG decoded, scaled down and encoded again with
// libpng's simplified API; JPEG and GIF sizes read from their headers.
#include "legacy/avatar_image.hpp"

#include <png.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace legate {

namespace {

constexpr std::string_view kPngSignature = "\x89PNG\r\n\x1a\n";

// png_image owns libpng state between begin and finish: freed on every exit.
struct PngImage {
  png_image image{};
  PngImage() { image.version = PNG_IMAGE_VERSION; }
  ~PngImage() { png_image_free(&image); }
  PngImage(const PngImage&) = delete;
  PngImage& operator=(const PngImage&) = delete;
};

// Box filter: each output pixel averages the input pixels it covers (RGBA, premultiplied by
// alpha so transparent pixels do not darken the edges).
std::vector<std::uint8_t> scale_down(const std::vector<std::uint8_t>& in, int w, int h, int ow,
                                     int oh) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(ow) * oh * 4);
  for (int oy = 0; oy < oh; ++oy) {
    const int y0 = oy * h / oh, y1 = std::max(y0 + 1, (oy + 1) * h / oh);
    for (int ox = 0; ox < ow; ++ox) {
      const int x0 = ox * w / ow, x1 = std::max(x0 + 1, (ox + 1) * w / ow);
      std::uint64_t r = 0, g = 0, b = 0, a = 0, n = 0;
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) {
          const std::uint8_t* p = &in[(static_cast<std::size_t>(y) * w + x) * 4];
          r += std::uint64_t{p[0]} * p[3];
          g += std::uint64_t{p[1]} * p[3];
          b += std::uint64_t{p[2]} * p[3];
          a += p[3];
          ++n;
        }
      std::uint8_t* q = &out[(static_cast<std::size_t>(oy) * ow + ox) * 4];
      q[0] = static_cast<std::uint8_t>(a ? r / a : 0);
      q[1] = static_cast<std::uint8_t>(a ? g / a : 0);
      q[2] = static_cast<std::uint8_t>(a ? b / a : 0);
      q[3] = static_cast<std::uint8_t>(a / n);
    }
  }
  return out;
}

}  // namespace

std::string encode_png(int w, int h, std::span<const std::uint8_t> rgba) {
  if (w <= 0 || h <= 0 || rgba.size() != static_cast<std::size_t>(w) * h * 4)
    throw AvatarError("encode_png: the pixels are not width x height x 4 bytes");
  PngImage png;
  png.image.width = static_cast<png_uint_32>(w);
  png.image.height = static_cast<png_uint_32>(h);
  png.image.format = PNG_FORMAT_RGBA;
  png_alloc_size_t size = 0;
  if (!png_image_write_to_memory(&png.image, nullptr, &size, 0, rgba.data(), 0, nullptr))
    throw AvatarError(std::string("PNG encoding failed: ") + png.image.message);
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&png.image, out.data(), &size, 0, rgba.data(), 0, nullptr))
    throw AvatarError(std::string("PNG encoding failed: ") + png.image.message);
  out.resize(size);
  return out;
}

namespace {

AvatarImage normalize_png(std::string bytes) {
  PngImage png;
  if (!png_image_begin_read_from_memory(&png.image, bytes.data(), bytes.size()))
    throw AvatarError(std::string("not a readable PNG: ") + png.image.message);
  const int w = static_cast<int>(png.image.width), h = static_cast<int>(png.image.height);
  if (w <= kMaxAvatarSide && h <= kMaxAvatarSide)
    return AvatarImage{std::move(bytes), "image/png", w, h};  // served as handed in
  // Larger than any avatar is shown: a bound on the memory a hostile image can take.
  if (static_cast<std::int64_t>(w) * h > 40'000'000)
    throw AvatarError("PNG of " + std::to_string(w) + "x" + std::to_string(h) + " is too large");
  png.image.format = PNG_FORMAT_RGBA;
  std::vector<std::uint8_t> rgba(PNG_IMAGE_SIZE(png.image));
  if (!png_image_finish_read(&png.image, nullptr, rgba.data(), 0, nullptr))
    throw AvatarError(std::string("PNG decoding failed: ") + png.image.message);
  const double scale = static_cast<double>(kMaxAvatarSide) / std::max(w, h);
  const int ow = std::max(1, static_cast<int>(w * scale + 0.5));
  const int oh = std::max(1, static_cast<int>(h * scale + 0.5));
  return AvatarImage{encode_png(ow, oh, scale_down(rgba, w, h, ow, oh)), "image/png", ow, oh};
}

std::uint16_t be16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(b[at]) << 8) |
                                    static_cast<unsigned char>(b[at + 1]));
}

// The frame size of a JPEG: the first SOFn marker's height and width.
std::optional<std::pair<int, int>> jpeg_size(std::string_view b) {
  std::size_t at = 2;  // after SOI
  while (at + 9 < b.size()) {
    if (static_cast<unsigned char>(b[at]) != 0xFF) return std::nullopt;
    const auto marker = static_cast<unsigned char>(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    const std::uint16_t length = be16(b, at + 2);
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) return std::pair<int, int>{be16(b, at + 7), be16(b, at + 5)};
    if (length < 2) return std::nullopt;
    at += 2 + length;
  }
  return std::nullopt;
}

AvatarImage pass_on(std::string bytes, std::string_view type,
                    std::optional<std::pair<int, int>> wh) {
  if (!wh || wh->first <= 0 || wh->second <= 0)
    throw AvatarError(std::string(type) + " whose size cannot be read");
  if (wh->first > kMaxAvatarSide || wh->second > kMaxAvatarSide)
    throw AvatarError(std::string(type) + " of " + std::to_string(wh->first) + "x" +
                      std::to_string(wh->second) + ": only PNG is scaled down, hand in PNG or " +
                      std::to_string(kMaxAvatarSide) + " px at most");
  return AvatarImage{std::move(bytes), std::string(type), wh->first, wh->second};
}

}  // namespace

AvatarImage normalize_avatar(std::string bytes, std::string_view type) {
  const std::string_view b(bytes);
  if (type == "image/png") {
    if (!b.starts_with(kPngSignature)) throw AvatarError("image/png without the PNG signature");
    return normalize_png(std::move(bytes));
  }
  if (type == "image/jpeg") {
    if (b.size() < 4 || static_cast<unsigned char>(b[0]) != 0xFF ||
        static_cast<unsigned char>(b[1]) != 0xD8)
      throw AvatarError("image/jpeg without the JPEG signature");
    const auto wh = jpeg_size(b);
    return pass_on(std::move(bytes), type, wh);
  }
  if (type == "image/gif") {
    if (!(b.starts_with("GIF87a") || b.starts_with("GIF89a")) || b.size() < 10)
      throw AvatarError("image/gif without the GIF signature");
    const auto le16 = [&b](std::size_t at) {
      return static_cast<unsigned char>(b[at]) | (static_cast<unsigned char>(b[at + 1]) << 8);
    };
    return pass_on(std::move(bytes), type, std::pair<int, int>{le16(6), le16(8)});
  }
  throw AvatarError("unsupported avatar type '" + std::string(type) +
                    "' (PNG, JPEG or GIF; PNG is scaled down when larger than " +
                    std::to_string(kMaxAvatarSide) + " px)");
}

}  // namespace legate
