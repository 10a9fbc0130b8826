// QrCode: encodings checked by a real decoder (zbarimg from Debian's zbar-tools reads the
// PNG), the PNG container, the half-block text drawing and the capacity limit.
#include <doctest/doctest.h>

#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/qr_code.hpp"

using legate::QrCode;

namespace {

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& bytes) {
    char name[] = "/tmp/legate-qr-XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path = name;
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

struct PipeClose {
  void operator()(FILE* f) const { pclose(f); }
};

// The bytes zbarimg reads in the PNG; REQUIREs exit status 0.
std::string zbar_decode(const std::string& png) {
  TempFile file(png);
  // -Sbinary: the payload's bytes exactly, without zbar's guess at a character set
  // conversion and without the newline --raw otherwise appends. stderr is dropped: zbarimg
  // complains there about D-Bus when there is no system bus.
  const std::string command = "zbarimg --quiet --raw -Sbinary '" + file.path + "' 2>/dev/null";
  std::unique_ptr<FILE, PipeClose> pipe(popen(command.c_str(), "r"));
  REQUIRE(pipe);
  std::string out;
  std::array<char, 4096> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe.get()))
    out.append(buffer.data(), n);
  const int status = pclose(pipe.release());
  INFO("zbarimg output: " << out);
  REQUIRE_MESSAGE(status == 0, "zbarimg failed (is zbar-tools installed?)");
  return out;
}

void check_round_trip(const std::string& text) {
  const QrCode code = QrCode::encode(text);
  const std::string decoded = zbar_decode(code.png());
  CHECK(decoded == text);
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(text.substr(start, nl - start));
  CHECK(start == text.size());  // every line ends in '\n'
  return lines;
}

// Reads a half-block drawing back into ink per module: [row][column].
std::vector<std::vector<bool>> ink_of(const std::string& drawing) {
  std::vector<std::vector<bool>> ink;
  for (const std::string& line : split_lines(drawing)) {
    std::vector<bool> top, bottom;
    for (std::size_t i = 0; i < line.size();) {
      const std::string_view rest = std::string_view(line).substr(i);
      if (rest.starts_with(" ")) {
        top.push_back(false), bottom.push_back(false), i += 1;
      } else if (rest.starts_with("\u2580")) {
        top.push_back(true), bottom.push_back(false), i += 3;
      } else if (rest.starts_with("\u2584")) {
        top.push_back(false), bottom.push_back(true), i += 3;
      } else if (rest.starts_with("\u2588")) {
        top.push_back(true), bottom.push_back(true), i += 3;
      } else {
        FAIL("unexpected character in the drawing at byte " << i);
        return {};
      }
    }
    ink.push_back(std::move(top));
    ink.push_back(std::move(bottom));
  }
  return ink;
}

std::string token(std::size_t n) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string s = "https://pair.example.org/link?v=2&token=";
  for (std::size_t i = 0; s.size() < n; ++i) s += alphabet[(i * 7919 + 13) % alphabet.size()];
  return s;
}

}  // namespace

TEST_CASE("qr: short ASCII text decodes back with zbarimg") {
  check_round_trip("hello");
  check_round_trip("legate:pair?code=1234-5678");
}

TEST_CASE("qr: a 300-character URL-like token decodes back") {
  const std::string text = token(300);
  REQUIRE(text.size() == 300);
  check_round_trip(text);
}

TEST_CASE("qr: UTF-8 text decodes back byte for byte") {
  check_round_trip("Grüße, Ŝlosilo — 二维码 ✓ 🙂");
}

TEST_CASE("qr: the largest level-M symbol (2331 bytes, version 40) decodes back") {
  const std::string text = token(2331);
  const QrCode code = QrCode::encode(text);
  CHECK(code.version() == 40);
  CHECK(code.size() == 177);
  CHECK(zbar_decode(code.png(4)) == text);
}

TEST_CASE("qr: size follows the version and modules outside are light") {
  const QrCode code = QrCode::encode("hello");
  CHECK(code.version() == 1);
  CHECK(code.size() == 21);
  // Finder pattern corners are dark; the separator next to it is light.
  CHECK(code.dark(0, 0));
  CHECK(code.dark(20, 0));
  CHECK(code.dark(0, 20));
  CHECK_FALSE(code.dark(7, 0));
  CHECK_FALSE(code.dark(-1, 0));
  CHECK_FALSE(code.dark(0, 21));
}

TEST_CASE("qr: PNG has the signature and the expected dimensions") {
  const QrCode code = QrCode::encode("hello");
  for (auto [scale, border] : {std::pair{8, 4}, std::pair{1, 0}, std::pair{3, 2}}) {
    const std::string png = code.png(scale, border);
    REQUIRE(png.size() > 33);
    CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    CHECK(png.substr(12, 4) == "IHDR");
    auto be32 = [&](std::size_t at) {
      return (unsigned(static_cast<unsigned char>(png[at])) << 24) |
             (unsigned(static_cast<unsigned char>(png[at + 1])) << 16) |
             (unsigned(static_cast<unsigned char>(png[at + 2])) << 8) |
             unsigned(static_cast<unsigned char>(png[at + 3]));
    };
    const unsigned side = unsigned((21 + 2 * border) * scale);
    CHECK(be32(16) == side);
    CHECK(be32(20) == side);
    CHECK(png.substr(png.size() - 8, 4) == "IEND");
  }
  CHECK_THROWS_AS(code.png(0, 4), std::invalid_argument);
  CHECK_THROWS_AS(code.png(8, -1), std::invalid_argument);
  CHECK_THROWS_AS(code.png(1000, 4), std::invalid_argument);
}

TEST_CASE("qr: unicode drawing has ceil((size+2*border)/2) lines of size+2*border characters") {
  for (const std::string& text : {std::string("hello"), token(300)}) {
    const QrCode code = QrCode::encode(text);
    for (int border : {0, 1, 2, 4}) {
      const int width = code.size() + 2 * border;
      const auto lines = split_lines(code.unicode(border));
      CHECK(lines.size() == static_cast<std::size_t>((width + 1) / 2));
      for (const std::string& line : lines) CHECK(utf8_length(line) == std::size_t(width));
    }
  }
  CHECK_THROWS_AS(QrCode::encode("x").unicode(-1), std::invalid_argument);
}

TEST_CASE("qr: unicode drawing inks the dark modules (or the light ones on request)") {
  const QrCode code = QrCode::encode(token(120));
  const int border = 2;
  const int width = code.size() + 2 * border;
  for (bool light_on_dark : {false, true}) {
    const auto ink = ink_of(code.unicode(border, light_on_dark));
    REQUIRE(ink.size() == static_cast<std::size_t>(width + 1));  // odd width: a spare half row
    for (int row = 0; row < width; ++row) {
      REQUIRE(ink[row].size() == static_cast<std::size_t>(width));
      for (int col = 0; col < width; ++col) {
        const bool dark = code.dark(col - border, row - border);
        if (ink[row][col] != (dark != light_on_dark)) {
          FAIL("module (" << col - border << ", " << row - border << ") drawn wrongly");
        }
      }
    }
    // The half row past the drawing carries no ink in either mode.
    for (bool b : ink[width]) CHECK_FALSE(b);
  }
}

TEST_CASE("qr: too-long or empty input throws std::invalid_argument") {
  CHECK_THROWS_AS(QrCode::encode(token(2332)), std::invalid_argument);
  CHECK_THROWS_AS(QrCode::encode(std::string(10000, 'x')), std::invalid_argument);
  CHECK_THROWS_AS(QrCode::encode(""), std::invalid_argument);
}
