// Digest over OpenSSL EVP; every failure is an exception (never a silent empty hash).
#include "component/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include "component/text.hpp"

namespace legate {

struct Digest::Context {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), EVP_MD_CTX_free};
};

Digest::Digest(Algorithm algorithm) : context_(std::make_unique<Context>()) {
  const EVP_MD* md = algorithm == Algorithm::sha1 ? EVP_sha1() : EVP_sha256();
  if (!context_->ctx || EVP_DigestInit_ex(context_->ctx.get(), md, nullptr) != 1)
    throw std::runtime_error("digest: initialisation failed");
}

Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

Digest& Digest::update(std::string_view bytes) {
  if (EVP_DigestUpdate(context_->ctx.get(), bytes.data(), bytes.size()) != 1)
    throw std::runtime_error("digest: update failed");
  return *this;
}

std::string Digest::finish() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_->ctx.get(), digest, &length) != 1)
    throw std::runtime_error("digest: final failed");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string Digest::finish_hex() {
  return hex(finish());
}

std::string sha1(std::string_view bytes) {
  return Digest(Digest::Algorithm::sha1).update(bytes).finish();
}

std::string sha1_hex(std::string_view bytes) {
  return hex(sha1(bytes));
}

std::string sha256_hex(std::string_view bytes) {
  return Digest(Digest::Algorithm::sha256).update(bytes).finish_hex();
}

}  // namespace legate
