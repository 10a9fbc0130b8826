// Identity of a contact: XEP-0115 caps verification string, disco#info features, the
// XEP-0054 vCard with its XEP-0153 photo hash, and the SHA-1/base64 they rest on.
#include "legacy/contact_stanzas.hpp"

#include "component/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>
#include <tuple>

namespace legate {

namespace {

using Sha1 = std::array<unsigned char, 20>;

// EVP interface, as in component/handshake.cpp (the one-shot SHA1() is deprecated).
Sha1 sha1(std::string_view bytes) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha1(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1 || length != Sha1().size()) {
    throw std::runtime_error("SHA-1 digest failed");
  }
  Sha1 out;
  std::copy_n(digest, out.size(), out.begin());
  return out;
}

Element feature(std::string_view var) {
  Element e("feature", std::string(kDiscoInfoNs));
  e.set_attr("var", var);
  return e;
}

Identity contact_identity(std::string_view name) {
  return {"client", "pc", std::string(name)};
}

}  // namespace

std::string sha1_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const Sha1 digest = sha1(bytes);
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (unsigned char b : digest) {
    hex += kHex[b >> 4];
    hex += kHex[b & 0x0F];
  }
  return hex;
}

std::string base64(std::string_view bytes) {
  return base64_encode(bytes);
}

std::string caps_ver(const std::vector<Identity>& identities,
                     const std::vector<std::string>& features) {
  // §5.1: identities sorted by category, type (then xml:lang, which ours lack; the name
  // breaks remaining ties so the string is deterministic), each "category/type/lang/name<";
  // then the features sorted, each followed by '<'.
  std::vector<const Identity*> sorted_identities;
  for (const auto& identity : identities) sorted_identities.push_back(&identity);
  std::sort(
      sorted_identities.begin(), sorted_identities.end(), [](const Identity* a, const Identity* b) {
        return std::tie(a->category, a->type, a->name) < std::tie(b->category, b->type, b->name);
      });
  std::vector<std::string_view> sorted_features(features.begin(), features.end());
  std::sort(sorted_features.begin(), sorted_features.end());
  // A duplicate would make the receiver reject the ver (§5.4): count each feature once.
  sorted_features.erase(std::unique(sorted_features.begin(), sorted_features.end()),
                        sorted_features.end());

  std::string s;
  for (const Identity* identity : sorted_identities) {
    s += identity->category;
    s += '/';
    s += identity->type;
    s += "//";  // empty xml:lang
    s += identity->name;
    s += '<';
  }
  for (std::string_view f : sorted_features) {
    s += f;
    s += '<';
  }
  const Sha1 digest = sha1(s);
  return base64(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::vector<std::string> contact_features(const Features& f) {
  // Receipts are always offered: without real ones the gateway acknowledges itself.
  std::vector<std::string> features = {std::string(kDiscoInfoNs), std::string(kCapsNs),
                                       std::string(kVcardNs), std::string(kReceiptsNs)};
  if (f.chat_states) features.emplace_back(kChatStatesNs);
  if (f.corrections) features.emplace_back(kCorrectNs);
  if (f.retractions) features.emplace_back(kRetractNs);
  if (f.reactions) features.emplace_back(kReactionsNs);
  if (f.markers) features.emplace_back(kMarkersNs);
  if (f.replies) features.emplace_back(kReplyNs);
  if (f.files) {
    features.emplace_back("jabber:x:oob");
    features.emplace_back("http://jabber.org/protocol/ibb");
  }
  std::sort(features.begin(), features.end());
  return features;
}

Element contact_disco_info(const Features& f, std::string_view name) {
  Element query("query", std::string(kDiscoInfoNs));
  const Identity identity = contact_identity(name);
  Element& e = query.add_child("identity", std::string(kDiscoInfoNs));
  e.set_attr("category", identity.category);
  e.set_attr("type", identity.type);
  if (!identity.name.empty()) e.set_attr("name", identity.name);
  for (const auto& var : contact_features(f)) query.add_child(feature(var));
  return query;
}

std::string contact_caps_ver(const Features& f, std::string_view name) {
  return caps_ver({contact_identity(name)}, contact_features(f));
}

Element vcard(std::string_view nick_or_name, std::string_view avatar_bytes,
              std::string_view avatar_type) {
  const std::string ns(kVcardNs);
  Element card("vCard", ns);
  auto add_text = [&ns](Element& parent, std::string name, std::string_view text) {
    parent.add_child(std::move(name), ns).set_text(std::string(text));
  };
  if (!nick_or_name.empty()) {
    // NICKNAME is what most clients display; FN is the one vCard-temp says is required.
    add_text(card, "NICKNAME", nick_or_name);
    add_text(card, "FN", nick_or_name);
  }
  if (!avatar_bytes.empty()) {
    Element& photo = card.add_child("PHOTO", ns);
    add_text(photo, "TYPE", avatar_type);
    add_text(photo, "BINVAL", base64(avatar_bytes));
  }
  return card;
}

}  // namespace legate
