// QrCode: libqrencode for the symbol, libpng for the image, half blocks for text.
#include "gateway/qr_code.hpp"

#include <png.h>
#include <qrencode.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>

namespace legate {

namespace {

struct QrcodeFree {
  void operator()(QRcode* code) const { QRcode_free(code); }
};
using QrcodePtr = std::unique_ptr<QRcode, QrcodeFree>;

// ---- libpng plumbing. libpng reports errors by longjmp; nothing with a destructor may be
// live in a frame that the jump crosses, so every C++ object lives in png() (which is never
// jumped over) and the jump lands in write_image(), which holds only plain pointers.

struct PngErrorState {
  char message[256] = "unknown libpng error";
};

[[noreturn]] void on_png_error(png_structp png, png_const_charp message) {
  auto* state = static_cast<PngErrorState*>(png_get_error_ptr(png));
  std::snprintf(state->message, sizeof state->message, "%s", message ? message : "?");
  png_longjmp(png, 1);
}

void on_png_warning(png_structp, png_const_charp) {}  // warnings do not concern the caller

void write_png_bytes(png_structp png, png_bytep data, std::size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  bool appended = false;
  try {
    out->append(reinterpret_cast<const char*>(data), length);
    appended = true;
  } catch (...) {
    // An exception must not unwind through libpng (C, built without unwind tables).
  }
  // Outside the catch block: a longjmp out of a handler would leak the exception object.
  if (!appended) png_error(png, "out of memory while writing the PNG");
}

void flush_png_bytes(png_structp) {}

// Owns the libpng write and info structs.
class PngWriter {
 public:
  explicit PngWriter(PngErrorState& errors) {
    png_ = png_create_write_struct(PNG_LIBPNG_VER_STRING, &errors, on_png_error, on_png_warning);
    if (png_) info_ = png_create_info_struct(png_);
    if (!png_ || !info_) {
      png_destroy_write_struct(&png_, &info_);
      throw std::bad_alloc();
    }
  }
  ~PngWriter() { png_destroy_write_struct(&png_, &info_); }
  PngWriter(const PngWriter&) = delete;
  PngWriter& operator=(const PngWriter&) = delete;

  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

// The only frame with setjmp. It modifies no local after setjmp that is read after a
// longjmp (so none needs volatile) and owns nothing.
bool write_image(png_structp png, png_infop info, std::string* out, png_uint_32 side,
                 png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, out, write_png_bytes, flush_png_bytes);
  png_set_IHDR(png, info, side, side, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 9);  // 1-bit QR images are tiny either way; keep them tinier
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  return true;
}

constexpr int kMaxImageSide = 16384;

// UTF-8 of the half-block glyphs, indexed by (top ink) | (bottom ink) << 1.
constexpr std::string_view kHalfBlocks[4] = {" ", "\u2580", "\u2584", "\u2588"};

}  // namespace

QrCode QrCode::encode(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("QR code: empty text");
  if (text.size() > static_cast<std::size_t>(INT_MAX))
    throw std::invalid_argument("QR code: text too long");
  errno = 0;
  // Version 0: the smallest symbol that holds the data. Byte mode, so any bytes (UTF-8, or
  // even NUL) round-trip; encodeString would switch modes and stop at NUL.
  QrcodePtr code(QRcode_encodeData(static_cast<int>(text.size()),
                                   reinterpret_cast<const unsigned char*>(text.data()), 0,
                                   QR_ECLEVEL_M));
  if (!code) {
    if (errno == ENOMEM) throw std::bad_alloc();
    if (errno == ERANGE)
      throw std::invalid_argument("QR code: text too long (" + std::to_string(text.size()) +
                                  " bytes; at most 2331 fit at error correction level M)");
    throw std::invalid_argument(std::string("QR code: cannot encode the text: ") +
                                std::strerror(errno));
  }
  const int size = code->width;
  std::vector<bool> modules(static_cast<std::size_t>(size) * size);
  // libqrencode sets bit 0 of each byte for a dark module; the other bits describe its role.
  for (std::size_t i = 0; i < modules.size(); ++i) modules[i] = code->data[i] & 1;
  return QrCode(size, code->version, std::move(modules));
}

bool QrCode::dark(int x, int y) const {
  if (x < 0 || y < 0 || x >= size_ || y >= size_) return false;
  return modules_[static_cast<std::size_t>(y) * size_ + x];
}

std::string QrCode::png(int scale, int border) const {
  if (scale < 1 || border < 0)
    throw std::invalid_argument("QR code PNG: scale must be >= 1 and border >= 0");
  const long long side_ll = (static_cast<long long>(size_) + 2LL * border) * scale;
  if (side_ll > kMaxImageSide)
    throw std::invalid_argument("QR code PNG: image larger than 16384 pixels a side");
  const auto side = static_cast<std::size_t>(side_ll);

  // 1-bit grayscale, most significant bit first; a set bit is white.
  const std::size_t row_bytes = (side + 7) / 8;
  std::vector<unsigned char> pixels(row_bytes * side, 0xff);
  for (std::size_t py = 0; py < side; ++py) {
    const int y = static_cast<int>(py / scale) - border;
    unsigned char* row = &pixels[py * row_bytes];
    for (std::size_t px = 0; px < side; ++px) {
      const int x = static_cast<int>(px / scale) - border;
      if (dark(x, y)) row[px / 8] &= static_cast<unsigned char>(~(0x80u >> (px % 8)));
    }
  }
  std::vector<png_bytep> rows(side);
  for (std::size_t py = 0; py < side; ++py) rows[py] = &pixels[py * row_bytes];

  std::string out;
  out.reserve(256 + pixels.size() / 8);
  PngErrorState errors;
  PngWriter writer(errors);
  if (!write_image(writer.png(), writer.info(), &out, static_cast<png_uint_32>(side), rows.data()))
    throw std::runtime_error(std::string("QR code PNG: libpng: ") + errors.message);
  return out;
}

std::string QrCode::unicode(int border, bool light_on_dark) const {
  if (border < 0) throw std::invalid_argument("QR code text: border must be >= 0");
  const int total = size_ + 2 * border;
  std::string out;
  out.reserve(static_cast<std::size_t>((total + 1) / 2) * (total * 3 + 1));
  for (int y = -border; y < size_ + border; y += 2) {
    for (int x = -border; x < size_ + border; ++x) {
      // With an odd row count the last line's lower half lies outside the drawing: no ink,
      // whatever the mode, so it is plain background.
      const bool top = dark(x, y) != light_on_dark;
      const bool bottom = (y + 1 < size_ + border) ? dark(x, y + 1) != light_on_dark : false;
      out += kHalfBlocks[(top ? 1 : 0) | (bottom ? 2 : 0)];
    }
    out += '\n';
  }
  return out;
}

}  // namespace legate
