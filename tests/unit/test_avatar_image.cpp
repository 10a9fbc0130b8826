// Avatar images (legacy/avatar_image.hpp): PNG scaled down to 200 px a side (aspect kept,
// colours kept), small PNG served as handed in, JPEG and GIF passed on within the limit,
// everything else refused with a reason.
#include <doctest/doctest.h>

#include "legacy/avatar_image.hpp"
#include "tests/support/test_png.hpp"

using namespace legate;
using namespace legate::test;

namespace {

// A JPEG's start: SOI, an APP0 segment, then SOF0 with this size (all a parser reads).
std::string jpeg_header(int width, int height) {
  std::string b = "\xFF\xD8\xFF\xE0";
  b += std::string("\x00\x10", 2) + "JFIF" + std::string(10, '\0');  // 16 bytes with the length
  b += "\xFF\xC0";
  b += std::string("\x00\x11\x08", 3);
  b += static_cast<char>(height >> 8);
  b += static_cast<char>(height & 0xFF);
  b += static_cast<char>(width >> 8);
  b += static_cast<char>(width & 0xFF);
  b += std::string(12, '\x01');
  return b;
}

}  // namespace

TEST_CASE("avatar image: PNG larger than 200 px is scaled down, keeping its shape") {
  const AvatarImage wide = normalize_avatar(make_png(1000, 250, 0x10ff20ff), "image/png");
  CHECK(wide.type == "image/png");
  CHECK(wide.width == 200);
  CHECK(wide.height == 50);
  CHECK(png_size(wide.bytes) == std::pair<int, int>{200, 50});
  // One colour in, the same colour out: the scaled image equals a fresh 200x50 one.
  CHECK(wide.bytes == make_png(200, 50, 0x10ff20ff));
  const AvatarImage tall = normalize_avatar(make_png(201, 402), "image/png");
  CHECK(tall.width == 100);
  CHECK(tall.height == 200);
}

TEST_CASE("avatar image: small PNG, JPEG and GIF are passed on as they are") {
  const std::string small = make_png(200, 120);
  const AvatarImage png = normalize_avatar(small, "image/png");
  CHECK(png.bytes == small);
  CHECK(png.width == 200);
  CHECK(png.height == 120);
  const AvatarImage jpeg = normalize_avatar(jpeg_header(96, 64), "image/jpeg");
  CHECK(jpeg.type == "image/jpeg");
  CHECK(jpeg.width == 96);
  CHECK(jpeg.height == 64);
  const AvatarImage gif =
      normalize_avatar(std::string("GIF89a\x20\x00\x10\x00", 10) + "rest", "image/gif");
  CHECK(gif.width == 32);
  CHECK(gif.height == 16);
}

TEST_CASE("avatar image: what cannot be served is refused with a reason") {
  CHECK_THROWS_WITH_AS(normalize_avatar(jpeg_header(640, 640), "image/jpeg"),
                       doctest::Contains("only PNG is scaled down"), AvatarError);
  CHECK_THROWS_AS(normalize_avatar("GIF89a", "image/gif"), AvatarError);
  CHECK_THROWS_WITH_AS(normalize_avatar("RIFF....WEBP", "image/webp"),
                       doctest::Contains("unsupported avatar type"), AvatarError);
  CHECK_THROWS_WITH_AS(normalize_avatar(make_png(10, 10), "image/jpeg"),
                       doctest::Contains("without the JPEG signature"), AvatarError);
  CHECK_THROWS_AS(normalize_avatar("\x89PNG\r\n\x1a\n garbage", "image/png"), AvatarError);
  std::string truncated = make_png(400, 400);
  truncated.resize(truncated.size() / 2);
  CHECK_THROWS_AS(normalize_avatar(truncated, "image/png"), AvatarError);
  CHECK_THROWS_AS(normalize_avatar(jpeg_header(10, 10).substr(0, 12), "image/jpeg"), AvatarError);
}
