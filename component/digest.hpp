// Digest: SHA-1 and SHA-256 over OpenSSL's EVP interface, fed as bytes go by (the one-shot
// SHA1() is deprecated in OpenSSL 3). Used by the handshake (XEP-0114), caps and avatar
// hashes (XEP-0115, XEP-0153), and by bridges to hash files as they stream.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace legate {

class Digest {
 public:
  enum class Algorithm { sha1, sha256 };
  explicit Digest(Algorithm algorithm);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;

  Digest& update(std::string_view bytes);
  // The digest as raw bytes (20 for SHA-1, 32 for SHA-256); the Digest is spent after it.
  std::string finish();
  // The digest in lower-case hexadecimal.
  std::string finish_hex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// One-shot forms.
std::string sha1(std::string_view bytes);  // raw bytes
std::string sha1_hex(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);

}  // namespace legate
