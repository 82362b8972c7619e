// A throwaway RSA private key (PEM, PKCS#8) for tests that need a Google service-account JSON:
// generated once per test process with OpenSSL, never written anywhere but temp files.
#pragma once
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <string>

namespace pt::fake {

inline const std::string& test_private_key_pem() {
  static const std::string pem = [] {
    EVP_PKEY* key = EVP_RSA_gen(2048);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    EVP_PKEY_free(key);
    return out;
  }();
  return pem;
}

}  // namespace pt::fake
