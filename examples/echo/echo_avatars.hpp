// The echo network's avatars: a coloured disc per contact (alice and bob), drawn here and
// encoded with legate::encode_png. "avatar" written to alice gives her the next colour.
#pragma once

#include <cstdint>
#include <string>

namespace echo {

// A 96x96 PNG: a disc of colour 0xRRGGBB on a transparent background.
std::string disc_avatar(std::uint32_t rgb);

// The colours contacts start with (0: none), and alice's next one after `current`.
std::uint32_t first_colour(const std::string& contact);
std::uint32_t next_colour(std::uint32_t current);

}  // namespace echo
