// QrCode: a QR symbol (libqrencode, byte mode, error correction level M) and its two
// renderings for a gateway's users: a PNG image for clients that show pictures, and a
// Unicode half-block drawing for text-only clients (e.g. a pairing link of a legacy network).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace legate {

class QrCode {
 public:
  // Encodes `text` as bytes (UTF-8 stays UTF-8; no ECI header, which most scanners, zbar
  // included, handle by guessing UTF-8). Throws std::invalid_argument for empty text or text
  // longer than the largest symbol holds (2331 bytes at level M).
  static QrCode encode(std::string_view text);

  // Modules per side (21 for version 1 up to 177 for version 40), without a quiet zone.
  int size() const { return size_; }
  int version() const { return version_; }
  // True for a dark module; coordinates outside the symbol are light (the quiet zone).
  bool dark(int x, int y) const;

  // A PNG file (1-bit grayscale): `scale` pixels per module, a quiet zone of `border`
  // modules (the standard asks for 4). Throws std::invalid_argument for scale < 1,
  // border < 0 or an image over 16384 pixels a side; std::runtime_error if libpng fails.
  std::string png(int scale = 8, int border = 4) const;

  // Text drawing, two module rows per line with U+2580 ▀, U+2584 ▄, U+2588 █ and spaces;
  // ceil((size + 2*border) / 2) lines of size + 2*border characters, each ending in '\n'.
  // By default the glyphs' ink draws the dark modules, which is right for dark text on a
  // light background (most chat clients' default theme). `light_on_dark` draws the light
  // modules and the quiet zone instead, for dark themes and terminals with light text;
  // without it such a client shows a negative, which many (not all) scanners refuse.
  // Needs a monospace font whose block glyphs fill the cell for the drawing to scan.
  std::string unicode(int border = 2, bool light_on_dark = false) const;

 private:
  QrCode(int size, int version, std::vector<bool> modules)
      : size_(size), version_(version), modules_(std::move(modules)) {}

  int size_ = 0;
  int version_ = 0;
  std::vector<bool> modules_;  // row-major, true = dark
};

}  // namespace legate
