// TlsServerContext: what load() refuses and says, and, over handshakes in memory with an OpenSSL
// client, which certificate SNI chooses and the facts a connection gets (its client
// certificate's fields in API Gateway's forms).
#include "http/tls_server.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/text.h"

namespace gatehouse::http {
namespace {

namespace fs = std::filesystem;

class TlsServerContextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("gh-tls-test-" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key "
       "-out ca.pem -days 2 -subj '/CN=test ca'");
    leaf("a", "/CN=a.example", "subjectAltName=DNS:a.example,DNS:A2.Example", "1");
    leaf("b", "/CN=b", "subjectAltName=DNS:*.b.example", "2");
    leaf("cn", "/CN=cn.example", "basicConstraints=CA:FALSE", "3");
    leaf("noname", "/CN=not a host", "basicConstraints=CA:FALSE", "4");
    leaf("dup", "/CN=dup", "subjectAltName=DNS:a.example", "5");
    // A serial wider than 64 bits, written in decimal in the facts.
    leaf("client", "/C=US/O=Example, Inc./CN=client one", "basicConstraints=CA:FALSE",
         "0x0123456789ABCDEF0123");
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
  }

  static void sh(const std::string& cmd) {
    const std::string full = "cd '" + dir_->string() + "' && " + cmd + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(full.c_str()), 0) << cmd;
  }
  static void leaf(const std::string& name, const std::string& subject, const std::string& ext,
                   const std::string& serial) {
    std::ofstream(*dir_ / (name + ".ext")) << ext << "\n";
    sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name +
       ".key -out " + name + ".csr -subj '" + subject + "'");
    sh("openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key -set_serial " + serial +
       " -out " + name + ".pem -days 2 -extfile " + name + ".ext");
  }
  static std::string path(const std::string& name) { return (*dir_ / name).string(); }
  static TlsServerOptions::Certificate cert(const std::string& name) {
    return {path(name + ".pem"), path(name + ".key")};
  }

  // A handshake in memory between `server` and an OpenSSL client sending `sni` (none when
  // empty) and, with `client_cert`, that certificate. Returns the server's SSL, or null when
  // the handshake failed.
  static std::unique_ptr<SSL, decltype(&SSL_free)> handshake(const TlsServerContext& server,
                                                             const std::string& sni,
                                                             const std::string& client_cert = "") {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> cctx(SSL_CTX_new(TLS_client_method()),
                                                           &SSL_CTX_free);
    if (!client_cert.empty()) {
      SSL_CTX_use_certificate_file(cctx.get(), path(client_cert + ".pem").c_str(),
                                   SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(cctx.get(), path(client_cert + ".key").c_str(), SSL_FILETYPE_PEM);
    }
    std::unique_ptr<SSL, decltype(&SSL_free)> s(SSL_new(server.context().native_handle()),
                                                &SSL_free);
    std::unique_ptr<SSL, decltype(&SSL_free)> c(SSL_new(cctx.get()), &SSL_free);
    BIO* sb = nullptr;
    BIO* cb = nullptr;
    BIO_new_bio_pair(&sb, 0, &cb, 0);
    SSL_set_bio(s.get(), sb, sb);
    SSL_set_bio(c.get(), cb, cb);
    SSL_set_accept_state(s.get());
    SSL_set_connect_state(c.get());
    if (!sni.empty()) SSL_set_tlsext_host_name(c.get(), sni.c_str());
    for (int i = 0; i < 20; ++i) {
      const int rc = SSL_do_handshake(c.get());
      const int rs = SSL_do_handshake(s.get());
      if (rc == 1 && rs == 1) return s;
      const int ec = SSL_get_error(c.get(), rc);
      const int es = SSL_get_error(s.get(), rs);
      const auto blocked = [](int e) {
        return e == SSL_ERROR_NONE || e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
      };
      if (!blocked(ec) || !blocked(es)) break;
    }
    ERR_clear_error();
    return {nullptr, &SSL_free};
  }

  static std::string served_cn(SSL* s) {
    X509* served = SSL_get_certificate(s);
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(served), NID_commonName, cn, sizeof cn);
    return cn;
  }

  static fs::path* dir_;
};
fs::path* TlsServerContextTest::dir_ = nullptr;

TEST_F(TlsServerContextTest, SniChoosesByExactNameThenWildcardElseTheFirst) {
  auto loaded = TlsServerContext::load({.certificates = {cert("a"), cert("b"), cert("cn")}});
  ASSERT_TRUE(loaded) << loaded.error().message();
  const TlsServerContext& tls = **loaded;
  ASSERT_EQ(tls.certificates().size(), 3u);
  EXPECT_EQ(tls.certificates()[0].names, (std::vector<std::string>{"a.example", "a2.example"}));
  EXPECT_EQ(tls.certificates()[2].names, (std::vector<std::string>{"cn.example"}));  // the CN
  EXPECT_GT(tls.certificates()[0].not_after_epoch_s, 0);

  const std::pair<std::string, std::string> cases[] = {
      {"a.example", "a.example"},    {"A2.EXAMPLE", "a.example"},
      {"x.b.example", "b"},          {"y.x.b.example", "a.example"},  // a wildcard covers one label
      {"b.example", "a.example"},    {"cn.example", "cn.example"},
      {"unknown.test", "a.example"}, {"", "a.example"},
  };
  for (const auto& [sni, cn] : cases) {
    auto s = handshake(tls, sni);
    ASSERT_TRUE(s) << sni;
    EXPECT_EQ(served_cn(s.get()), cn) << sni;
    TlsFacts f = tls.facts(s.get());
    EXPECT_EQ(f.server_name, core::ascii_lower(sni)) << sni;
    EXPECT_EQ(f.protocol, "TLSv1.3");
    EXPECT_FALSE(f.client_certificate_asked);
    EXPECT_FALSE(f.client_certificate);
  }
}

TEST_F(TlsServerContextTest, ClientCertificateFactsInApiGatewaysForms) {
  auto loaded = TlsServerContext::load({.certificates = {cert("a")},
                                        .client_ca_file = path("ca.pem"),
                                        .client_certificate_required = true});
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_FALSE(handshake(**loaded, "a.example")) << "no client certificate: refused";
  auto s = handshake(**loaded, "a.example", "client");
  ASSERT_TRUE(s);
  TlsFacts f = (*loaded)->facts(s.get());
  EXPECT_TRUE(f.client_certificate_asked);
  ASSERT_TRUE(f.client_certificate);
  const ClientCertificate& c = *f.client_certificate;
  // The certificate's own order, RFC 2253 escaping of the comma in the value.
  EXPECT_EQ(c.subject_dn, "C=US,O=Example\\, Inc.,CN=client one");
  EXPECT_EQ(c.issuer_dn, "CN=test ca");
  EXPECT_EQ(c.serial_number, "5373003642731685151011");
  EXPECT_TRUE(c.pem.starts_with("-----BEGIN CERTIFICATE-----\n")) << c.pem;
  std::ifstream in(path("client.pem"));
  EXPECT_EQ(c.pem, std::string(std::istreambuf_iterator<char>(in), {}));
  EXPECT_EQ(c.not_before.size(), std::string("Aug 29 00:28:21 2020 GMT").size()) << c.not_before;
  EXPECT_TRUE(c.not_after.ends_with(" GMT")) << c.not_after;

  // Optional: in without one, the facts say it was asked and none came.
  auto optional = TlsServerContext::load({.certificates = {cert("a")},
                                          .client_ca_file = path("ca.pem"),
                                          .client_certificate_required = false});
  ASSERT_TRUE(optional);
  auto bare = handshake(**optional, "");
  ASSERT_TRUE(bare);
  TlsFacts g = (*optional)->facts(bare.get());
  EXPECT_TRUE(g.client_certificate_asked);
  EXPECT_FALSE(g.client_certificate);
}

TEST_F(TlsServerContextTest, LoadErrorsNameTheFileAndWhatIsWrong) {
  auto error = [](const TlsServerOptions& o) {
    auto r = TlsServerContext::load(o);
    return r ? std::string("loaded") : r.error().message();
  };
  EXPECT_EQ(error({}), "certificates: at least one certificate is needed");
  EXPECT_EQ(error({.certificates = {{path("missing.pem"), path("a.key")}}}),
            "certificate: cannot open '" + path("missing.pem") + "': No such file or directory");
  EXPECT_EQ(error({.certificates = {{path("a.pem"), path("missing.key")}}}),
            "key: cannot open '" + path("missing.key") + "': No such file or directory");
  EXPECT_EQ(error({.certificates = {{path("a.key"), path("a.key")}}})
                .find("certificate " + path("a.key") + ": "),
            0u);
  EXPECT_EQ(error({.certificates = {{path("a.pem"), path("b.key")}}}),
            "key " + path("b.key") + " is not the private key of certificate " + path("a.pem"));
  EXPECT_NE(error({.certificates = {{path("a.pem"), path("a.pem")}}}).find("key " + path("a.pem")),
            std::string::npos);
  EXPECT_NE(error({.certificates = {cert("a"), cert("noname")}}).find("names no DNS host"),
            std::string::npos);
  // The one without a name may be the default.
  EXPECT_EQ(error({.certificates = {cert("noname"), cert("a")}}), "loaded");
  EXPECT_EQ(error({.certificates = {cert("a"), cert("dup")}}),
            "certificates " + path("a.pem") + " and " + path("dup.pem") +
                " are both for a.example: which one a client asking for it gets must be clear");
  EXPECT_NE(error({.certificates = {cert("a")}, .ciphers = "NOT-A-CIPHER"})
                .find("OpenSSL knows none of the ciphers in 'NOT-A-CIPHER'"),
            std::string::npos);
  EXPECT_NE(error({.certificates = {cert("a")}, .client_ca_file = path("missing-ca.pem")})
                .find("mutual_tls.truststore: cannot open '" + path("missing-ca.pem")),
            std::string::npos);
  EXPECT_EQ(error({.certificates = {cert("a")}, .client_ca_file = path("a.key")}),
            "mutual_tls.truststore " + path("a.key") +
                " holds no PEM certificate (expected the CA certificates client certificates "
                "must chain to)");
  sh("openssl pkey -in a.key -out locked.key -aes256 -passout pass:x");
  const std::string locked = error({.certificates = {{path("a.pem"), path("locked.key")}}});
  EXPECT_NE(locked.find("key " + path("locked.key") + " is encrypted"), std::string::npos)
      << locked;
}

}  // namespace
}  // namespace gatehouse::http
