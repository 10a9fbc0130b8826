// Echo avatars (see echo_avatars.hpp).
#include "echo_avatars.hpp"

#include <array>
#include <legate/legacy/avatar_image.hpp>
#include <vector>

namespace echo {

namespace {

constexpr int kSide = 96;
constexpr std::array<std::uint32_t, 4> kPalette{0xe0457b, 0x2a9d8f, 0xf4a261, 0x6c5ce7};

}  // namespace

std::string disc_avatar(std::uint32_t rgb) {
  std::vector<std::uint8_t> pixels(kSide * kSide * 4, 0);
  const int r2 = (kSide / 2) * (kSide / 2);
  for (int y = 0; y < kSide; ++y)
    for (int x = 0; x < kSide; ++x) {
      const int dx = x - kSide / 2, dy = y - kSide / 2;
      if (dx * dx + dy * dy > r2) continue;
      std::uint8_t* p = &pixels[(y * kSide + x) * 4];
      p[0] = static_cast<std::uint8_t>(rgb >> 16);
      p[1] = static_cast<std::uint8_t>(rgb >> 8);
      p[2] = static_cast<std::uint8_t>(rgb);
      p[3] = 0xff;
    }
  return legate::encode_png(kSide, kSide, pixels);
}

std::uint32_t first_colour(const std::string& contact) {
  if (contact == "alice") return kPalette[0];
  if (contact == "bob") return kPalette[1];
  return 0;
}

std::uint32_t next_colour(std::uint32_t current) {
  for (std::size_t i = 0; i < kPalette.size(); ++i)
    if (kPalette[i] == current) return kPalette[(i + 1) % kPalette.size()];
  return kPalette[0];
}

}  // namespace echo
