// PNG images for tests, made with libpng's simplified API: a width x height RGBA image whose
// pixels are `rgba` (so distinct colours give distinct images, hashes and avatars).
#pragma once

#include <png.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace legate::test {

inline std::string make_png(int width, int height, std::uint32_t rgba = 0x3366ccff) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_RGBA;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height * 4);
  for (std::size_t i = 0; i < pixels.size(); i += 4)
    for (int c = 0; c < 4; ++c) pixels[i + c] = static_cast<std::uint8_t>(rgba >> (24 - 8 * c));
  png_alloc_size_t size = 0;
  png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr);
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&image, out.data(), &size, 0, pixels.data(), 0, nullptr))
    throw std::runtime_error(image.message);
  out.resize(size);
  png_image_free(&image);
  return out;
}

// (width, height) of a PNG, or (0, 0) when it cannot be read.
inline std::pair<int, int> png_size(const std::string& bytes) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) return {0, 0};
  std::pair<int, int> size{static_cast<int>(image.width), static_cast<int>(image.height)};
  png_image_free(&image);
  return size;
}

}  // namespace legate::test
