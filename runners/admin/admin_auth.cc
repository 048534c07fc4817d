#include "runners/admin/admin_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>
#include <memory>

namespace odoo_prober::runners {
namespace {

constexpr size_t kMaxRemembered = 64;
constexpr size_t kMaxHeader = 1024;  // a longer Authorization header is refused unread
// Checked for an unknown user, so that it costs what a known one costs (bcrypt, cost 10).
constexpr const char* kDecoyHash = "$2y$10$lGYF0SJ1LtbFF5UGyxtOC.5NQFz.xLqOh6BsIGr6VmuQWlSBPrAwS";

std::string DecodeBase64(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) return "";
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return "";
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  out.resize(static_cast<size_t>(n) - std::min<size_t>(padding, 2));
  return out;
}

// Whether crypt(password, hash) gives the hash back; compared in constant time.
bool HashMatches(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();
  const char* computed = crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  if (computed == nullptr || computed[0] == '*') return false;
  return std::strlen(computed) == hash.size() &&
         CRYPTO_memcmp(computed, hash.data(), hash.size()) == 0;
}

}  // namespace

AdminAuth::AdminAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {}

bool AdminAuth::Check(const std::string& authorization) const {
  constexpr std::string_view kScheme = "Basic ";
  if (authorization.size() > kMaxHeader || authorization.rfind(kScheme, 0) != 0) return false;
  const std::string decoded = DecodeBase64(authorization.substr(kScheme.size()));
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  const std::string user = decoded.substr(0, colon);
  const std::string password = decoded.substr(colon + 1);

  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(password.data()), password.size(), digest);
  const std::string key = user + '\0' + std::string(reinterpret_cast<char*>(digest), sizeof digest);
  {
    prober::MutexLock lock(mu_);
    if (verified_.count(key)) return true;
  }
  const auto it = users_.find(user);
  if (it == users_.end()) {
    HashMatches(password, kDecoyHash);
    return false;
  }
  if (!HashMatches(password, it->second)) return false;
  prober::MutexLock lock(mu_);
  if (verified_.size() >= kMaxRemembered) verified_.clear();
  verified_.insert(key);
  return true;
}

}  // namespace odoo_prober::runners
