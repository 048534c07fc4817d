#include "prober/tls_inspector.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace odoo_prober::prober {
namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};
struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};

int MsLeft(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

std::string Name(X509_NAME* name) {
  char buf[512];
  X509_NAME_oneline(name, buf, sizeof buf);
  return buf;
}

std::chrono::system_clock::time_point Time(const ASN1_TIME* t) {
  std::tm tm{};
  ASN1_TIME_to_tm(t, &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 0xf];
  }
  return out;
}

CertInfo Describe(X509* cert) {
  CertInfo c;
  c.subject = Name(X509_get_subject_name(cert));
  c.issuer = Name(X509_get_issuer_name(cert));
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    char* hex = BN_bn2hex(bn);
    c.serial = hex ? hex : "";
    OPENSSL_free(hex);
    BN_free(bn);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  c.sha256 = Hex(md, len);
  c.not_before = Time(X509_get0_notBefore(cert));
  c.not_after = Time(X509_get0_notAfter(cert));
  if (EVP_PKEY* key = X509_get0_pubkey(cert)) {
    c.key_bits = EVP_PKEY_get_bits(key);
    const int id = EVP_PKEY_get_base_id(key);
    c.key_type = id == EVP_PKEY_RSA       ? "RSA"
                 : id == EVP_PKEY_EC      ? "EC"
                 : id == EVP_PKEY_ED25519 ? "ED25519"
                                          : OBJ_nid2sn(id);
  }
  c.signature_algorithm = OBJ_nid2ln(X509_get_signature_nid(cert));
  c.is_ca = X509_check_ca(cert) > 0;
  c.self_signed = X509_check_issued(cert, cert) == X509_V_OK;
  if (auto* aia = static_cast<AUTHORITY_INFO_ACCESS*>(
          X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr))) {
    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia) && c.ca_issuers_url.empty(); ++i) {
      const ACCESS_DESCRIPTION* ad = sk_ACCESS_DESCRIPTION_value(aia, i);
      if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers || ad->location->type != GEN_URI) continue;
      const ASN1_IA5STRING* uri = ad->location->d.uniformResourceIdentifier;
      c.ca_issuers_url.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                              static_cast<size_t>(ASN1_STRING_length(uri)));
    }
    AUTHORITY_INFO_ACCESS_free(aia);
  }
  return c;
}

// Connects within the deadline; the socket is left non-blocking.
bool Connect(const TlsInspectOptions& o, Clock::time_point deadline, Fd& sock, TlsInspection& out) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(o.port);
  if (const int rc = ::getaddrinfo(o.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    out.outcome = Outcome::kTransport;
    out.detail = "cannot resolve " + o.host + ": " + gai_strerror(rc);
    return false;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addrs(res, &freeaddrinfo);
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    Fd fd;
    fd.fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd.fd < 0) continue;
    if (::connect(fd.fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) continue;
    pollfd p{fd.fd, POLLOUT, 0};
    if (::poll(&p, 1, MsLeft(deadline)) <= 0) {
      out.outcome = Outcome::kTimeout;
      out.detail = "no TCP connection to " + o.host + ":" + port + " before the deadline";
      return false;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      out.outcome = Outcome::kTransport;
      out.detail = "connect to " + o.host + ":" + port + ": " + std::strerror(err);
      continue;
    }
    sock.fd = fd.fd;
    fd.fd = -1;
    return true;
  }
  if (out.detail.empty()) {
    out.outcome = Outcome::kTransport;
    out.detail = "cannot connect to " + o.host + ":" + port;
  }
  return false;
}

bool IsIp(const std::string& s) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

}  // namespace

namespace {

// Runs the client handshake on the connected socket until done or the deadline; false with
// out.outcome/detail set when it fails.
bool Handshake(SSL* ssl, int fd, Clock::time_point deadline, TlsInspection& out) {
  for (;;) {
    const int rc = SSL_connect(ssl);
    if (rc == 1) return true;
    const int err = SSL_get_error(ssl, rc);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
      char buf[256];
      ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
      out.outcome = Outcome::kTls;
      out.detail = std::string("TLS handshake failed: ") + buf;
      return false;
    }
    pollfd p{fd, static_cast<short>(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
    const int left = MsLeft(deadline);
    if (left == 0 || ::poll(&p, 1, left) <= 0) {
      out.outcome = Outcome::kTimeout;
      out.detail = "the TLS handshake did not complete before the deadline";
      return false;
    }
  }
}

// Builds and verifies the chain ourselves. Time is not checked here: expiry is judged per
// certificate of the chain that verifies, so an expired certificate still yields a chain.
void VerifyChain(const std::string& ca_file, X509* leaf, STACK_OF(X509) * chain,
                 TlsInspection& out) {
  X509_STORE* store = X509_STORE_new();
  if (!ca_file.empty()) {
    X509_STORE_load_file(store, ca_file.c_str());
  } else {
    X509_STORE_set_default_paths(store);
  }
  X509_STORE_set_flags(store, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_TRUSTED_FIRST);
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> vctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(vctx.get(), store, leaf, chain);
  const bool ok = X509_verify_cert(vctx.get()) == 1;
  out.trusted = ok;
  out.verify_error = ok ? 0 : X509_STORE_CTX_get_error(vctx.get());
  out.verify_error_text = ok ? "" : X509_verify_cert_error_string(out.verify_error);
  if (ok) {
    STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(vctx.get());
    for (int i = 0; i < sk_X509_num(built); ++i)
      out.verified.push_back(Describe(sk_X509_value(built, i)));
  }
  vctx.reset();  // before the store it points to
  X509_STORE_free(store);
}

// A client context that accepts whatever the server offers, weak keys and old versions
// included: they are findings, not reasons to stop looking.
std::unique_ptr<SSL_CTX, CtxFree> InspectingContext() {
  std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return ctx;
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  return ctx;
}

}  // namespace

TlsInspection InspectTls(const TlsInspectOptions& o) {
  TlsInspection out;
  const auto start = Clock::now();
  const auto deadline = start + o.timeout;
  const std::string name = o.servername.empty() ? o.host : o.servername;
  Fd sock;
  if (!Connect(o, deadline, sock, out)) return out;
  auto ctx = InspectingContext();
  if (!ctx) {
    out.outcome = Outcome::kTls;
    out.detail = "cannot create a TLS context";
    return out;
  }
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  SSL_set_fd(ssl.get(), sock.fd);
  if (!IsIp(name)) SSL_set_tlsext_host_name(ssl.get(), name.c_str());
  SSL_set_tlsext_status_type(ssl.get(), TLSEXT_STATUSTYPE_ocsp);
  if (!Handshake(ssl.get(), sock.fd, deadline, out)) return out;
  out.handshake_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
  out.tls_version = SSL_get_version(ssl.get());
  out.cipher = SSL_get_cipher_name(ssl.get());
  const unsigned char* ocsp = nullptr;
  out.ocsp_stapled = SSL_get_tlsext_status_ocsp_resp(ssl.get(), &ocsp) > 0;

  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get());  // leaf first, as sent
  for (int i = 0; chain && i < sk_X509_num(chain); ++i)
    out.presented.push_back(Describe(sk_X509_value(chain, i)));
  X509* leaf = SSL_get0_peer_certificate(ssl.get());
  if (leaf == nullptr) {
    out.outcome = Outcome::kTls;
    out.detail = "the server presented no certificate";
    return out;
  }
  out.hostname_ok = IsIp(name) ? X509_check_ip_asc(leaf, name.c_str(), 0) == 1
                               : X509_check_host(leaf, name.c_str(), name.size(), 0, nullptr) == 1;
  VerifyChain(o.ca_file, leaf, chain, out);
  SSL_shutdown(ssl.get());
  return out;
}

}  // namespace odoo_prober::prober
