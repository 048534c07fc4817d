#include "tests/emulator/pki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace odoo_prober::emulator {
namespace {

namespace fs = std::filesystem;

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

Key NewKey() { return Key(EVP_EC_gen("P-256")); }

bool AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// Makes a certificate for `key`, signed by issuer_key (issuer == nullptr: self-signed).
// `aia`: where the issuer's certificate is published (caIssuers), as public CAs say; "" none.
Cert MakeCert(EVP_PKEY* key, const char* cn, bool ca, X509* issuer, EVP_PKEY* issuer_key,
              const char* san = "DNS:localhost,IP:127.0.0.1,IP:::1", long not_before = -3600,
              long not_after = 60L * 60 * 24 * 365, const char* aia = "") {
  Cert cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("odoo-prober test PKI"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  bool ok = AddExt(cert.get(), signer, NID_subject_key_identifier, "hash");
  ok = ok && AddExt(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  if (ca) {
    ok = ok && AddExt(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    ok = ok && AddExt(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok = ok && AddExt(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    ok = ok && AddExt(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    ok = ok && AddExt(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    if (san != nullptr && *san != '\0')
      ok = ok && AddExt(cert.get(), signer, NID_subject_alt_name, san);
    if (*aia != '\0')
      ok = ok && AddExt(cert.get(), signer, NID_info_access,
                        (std::string("caIssuers;URI:") + aia).c_str());
  }
  if (!ok || X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) == 0)
    return nullptr;
  return cert;
}

bool WriteCert(const std::string& path, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  const bool ok = PEM_write_X509(f, cert) == 1;
  return std::fclose(f) == 0 && ok;
}

bool WriteKey(const std::string& path, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  ::chmod(path.c_str(), 0600);
  const bool ok = PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return std::fclose(f) == 0 && ok;
}

bool WriteChain(const std::string& path, const std::vector<X509*>& certs) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) return false;
  bool ok = true;
  for (X509* c : certs) ok = ok && PEM_write_X509(f, c) == 1;
  return std::fclose(f) == 0 && ok;
}

constexpr long kDay = 24L * 3600;

}  // namespace

prober::Result<TlsScenarios> MakeTlsScenarios(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  TlsScenarios out;
  out.root_ca = dir + "/root.pem";
  Key root_key = NewKey(), old_root_key = NewKey(), inter_key = NewKey(), short_key = NewKey(),
      private_key = NewKey();
  if (!root_key || !old_root_key || !inter_key || !short_key || !private_key)
    return prober::Status::Internal("key generation failed");
  // A company's own CA, which the trust store does not hold: it signs leaves itself and
  // publishes nothing (no AIA), as private CAs do.
  Cert private_root = MakeCert(private_key.get(), "odoo-prober private CA", true, nullptr, nullptr,
                               "", -kDay, 3650 * kDay);
  Cert root = MakeCert(root_key.get(), "odoo-prober test root", true, nullptr, nullptr, "", -kDay,
                       3650 * kDay);
  Cert old_root = MakeCert(old_root_key.get(), "odoo-prober old root", true, nullptr, nullptr, "",
                           -900 * kDay, -100 * kDay);
  Cert inter = MakeCert(inter_key.get(), "odoo-prober test intermediate", true, root.get(),
                        root_key.get(), "", -kDay, 1825 * kDay);
  // The same intermediate (subject and key), cross-signed long ago by a root that has expired.
  Cert cross = MakeCert(inter_key.get(), "odoo-prober test intermediate", true, old_root.get(),
                        old_root_key.get(), "", -800 * kDay, -200 * kDay);
  Cert short_inter = MakeCert(short_key.get(), "odoo-prober short intermediate", true, root.get(),
                              root_key.get(), "", -kDay, 3 * kDay);
  if (!root || !old_root || !inter || !cross || !short_inter || !private_root ||
      !WriteCert(out.root_ca, root.get())) {
    return prober::Status::Internal("cannot make the CA certificates");
  }
  struct Leaf {
    const char* name;
    long not_before, not_after;
    const char* san;
    enum { kIntermediate, kSelf, kShort, kPrivate } signer;
    std::vector<X509*> extra;  // presented after the leaf
    bool rsa1024;
  };
  const char* here = "DNS:localhost,IP:127.0.0.1";
  const std::vector<Leaf> leaves = {
      {"valid", -kDay, 200 * kDay, here, Leaf::kIntermediate, {inter.get()}, false},
      {"expires_in_5d", -kDay, 5 * kDay, here, Leaf::kIntermediate, {inter.get()}, false},
      {"expires_in_20d", -kDay, 20 * kDay, here, Leaf::kIntermediate, {inter.get()}, false},
      {"expired", -60 * kDay, -kDay, here, Leaf::kIntermediate, {inter.get()}, false},
      {"not_yet_valid", 2 * kDay, 200 * kDay, here, Leaf::kIntermediate, {inter.get()}, false},
      {"wrong_host",
       -kDay,
       200 * kDay,
       "DNS:wrong.example",
       Leaf::kIntermediate,
       {inter.get()},
       false},
      {"self_signed", -kDay, 200 * kDay, here, Leaf::kSelf, {}, false},
      {"missing_intermediate", -kDay, 200 * kDay, here, Leaf::kIntermediate, {}, false},
      {"intermediate_expires_first",
       -kDay,
       200 * kDay,
       here,
       Leaf::kShort,
       {short_inter.get()},
       false},
      {"expired_cross_sign",
       -kDay,
       200 * kDay,
       here,
       Leaf::kIntermediate,
       {inter.get(), cross.get()},
       false},
      {"rsa_1024", -kDay, 200 * kDay, here, Leaf::kIntermediate, {inter.get()}, true},
      {"private_ca", -kDay, 200 * kDay, here, Leaf::kPrivate, {}, false},
  };
  for (const auto& l : leaves) {
    Key key(l.rsa1024 ? EVP_RSA_gen(1024) : EVP_EC_gen("P-256"));
    if (!key) return prober::Status::Internal("key generation failed");
    X509* issuer = l.signer == Leaf::kIntermediate ? inter.get()
                   : l.signer == Leaf::kShort      ? short_inter.get()
                   : l.signer == Leaf::kPrivate    ? private_root.get()
                                                   : nullptr;
    EVP_PKEY* issuer_key = l.signer == Leaf::kIntermediate ? inter_key.get()
                           : l.signer == Leaf::kShort      ? short_key.get()
                           : l.signer == Leaf::kPrivate    ? private_key.get()
                                                           : nullptr;
    // The test CA's intermediates publish their certificate, as a public CA's do.
    const char* aia = l.signer == Leaf::kIntermediate || l.signer == Leaf::kShort
                          ? "http://pki.example/odoo-prober-intermediate.crt"
                          : "";
    Cert cert = MakeCert(key.get(), "localhost", false, issuer, issuer_key, l.san, l.not_before,
                         l.not_after, aia);
    if (!cert)
      return prober::Status::Internal(std::string("cannot make the certificate ") + l.name);
    std::vector<X509*> chain = {cert.get()};
    chain.insert(chain.end(), l.extra.begin(), l.extra.end());
    TlsScenario s{dir + "/" + l.name + ".chain.pem", dir + "/" + l.name + ".key"};
    if (!WriteChain(s.chain_file, chain) || !WriteKey(s.key_file, key.get())) {
      return prober::Status::Internal("cannot write " + s.chain_file);
    }
    out.scenarios[l.name] = s;
  }
  return out;
}

prober::Result<Pki> EnsurePki(const std::string& dir) {
  Pki pki{dir + "/ca.pem",          dir + "/server.pem",      dir + "/server.key",
          dir + "/self-signed.pem", dir + "/self-signed.key", dir + "/expired.pem",
          dir + "/expired.key",     dir + "/wrong-host.pem",  dir + "/wrong-host.key",
          dir + "/rotated.pem",     dir + "/rotated.key"};
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return prober::Status::InvalidArgument("cannot create " + dir + ": " + ec.message());
  if (fs::exists(pki.ca_cert) && fs::exists(pki.server_cert) && fs::exists(pki.server_key) &&
      fs::exists(pki.untrusted_cert) && fs::exists(pki.untrusted_key) &&
      fs::exists(pki.expired_cert) && fs::exists(pki.wrong_host_cert) &&
      fs::exists(pki.rotated_cert)) {
    return pki;
  }
  Key ca_key = NewKey(), server_key = NewKey(), rogue_key = NewKey(), old_key = NewKey(),
      other_key = NewKey(), rotated_key = NewKey();
  if (!ca_key || !server_key || !rogue_key || !old_key || !other_key || !rotated_key) {
    return prober::Status::Internal("EC key generation failed");
  }
  Cert ca = MakeCert(ca_key.get(), "odoo-prober test CA", true, nullptr, nullptr);
  if (!ca) return prober::Status::Internal("cannot make the CA certificate");
  Cert server = MakeCert(server_key.get(), "localhost", false, ca.get(), ca_key.get());
  Cert rogue = MakeCert(rogue_key.get(), "localhost", false, nullptr, nullptr);
  Cert expired = MakeCert(old_key.get(), "localhost", false, ca.get(), ca_key.get(),
                          "DNS:localhost,IP:127.0.0.1,IP:::1", -60L * 60 * 24 * 31, -60L * 60 * 24);
  Cert other = MakeCert(other_key.get(), "wrong.example", false, ca.get(), ca_key.get(),
                        "DNS:wrong.example");
  Cert rotated = MakeCert(rotated_key.get(), "localhost", false, ca.get(), ca_key.get());
  if (!server || !rogue || !expired || !other || !rotated) {
    return prober::Status::Internal("cannot make the server certificates");
  }
  // Keys first, certificates last: a half-written folder is regenerated on the next call.
  if (!WriteKey(dir + "/ca.key", ca_key.get()) || !WriteKey(pki.server_key, server_key.get()) ||
      !WriteKey(pki.untrusted_key, rogue_key.get()) || !WriteKey(pki.expired_key, old_key.get()) ||
      !WriteKey(pki.wrong_host_key, other_key.get()) ||
      !WriteKey(pki.rotated_key, rotated_key.get()) ||
      !WriteCert(pki.rotated_cert, rotated.get()) || !WriteCert(pki.expired_cert, expired.get()) ||
      !WriteCert(pki.wrong_host_cert, other.get()) || !WriteCert(pki.server_cert, server.get()) ||
      !WriteCert(pki.untrusted_cert, rogue.get()) || !WriteCert(pki.ca_cert, ca.get())) {
    return prober::Status::Internal("cannot write the PKI files into " + dir);
  }
  return pki;
}

}  // namespace odoo_prober::emulator
