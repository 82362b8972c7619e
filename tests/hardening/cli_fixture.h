// CLI-level fixtures of the security tests: traces as production-shaped JSONL lines (from
// tests/relabel/trace_fixtures.h), `picktune` runs through tests/cli_store/run_cli.h that keep a
// transcript of everything printed, a walk over every file a directory holds, and a public-key
// PEM for the fake token endpoint's JWT check.
#pragma once
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hardening/hardening_util.h"
#include "pipeline/relabel/trace_fixtures.h"
#include "support/run_cli.h"
#include "util/time.h"

namespace pt::hardening {

// A row as `import jsonl` reads it (docs/formats.md#rows columns, payload as an object).
inline std::string jsonl_line(const Row& r) {
  nlohmann::json j = {{"id", r.id},
                      {"agent_step_id", r.agent_step_id},
                      {"user_id", r.user_id},
                      {"created_at", format_rfc3339(r.created_at_us)},
                      {"payload", nlohmann::json::parse(r.payload)}};
  if (!r.type.empty()) j["type"] = r.type;
  if (!r.model.empty()) j["model"] = r.model;
  return j.dump() + "\n";
}

// n picker traces, alternating Key / Non-Obvious, as JSONL text.
inline std::string traces_jsonl(int n, int first = 0) {
  std::string out;
  for (int i = first; i < first + n; ++i) out += jsonl_line(testing::picker_trace(i, i % 2 ? "Non-Obvious" : "Key"));
  return out;
}

// Runs `picktune ARGS` in `cwd` with extra "K=V" environment; appends what it printed to `transcript`.
inline pt_test::CliResult picktune(const std::vector<std::string>& args, const std::string& cwd,
                                   const std::vector<std::string>& env, std::string* transcript = nullptr) {
  std::vector<std::string> argv = {PICKTUNE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  pt_test::CliResult r = pt_test::run_cli(argv, cwd, "", env);
  if (transcript) *transcript += r.out + r.err;  // output only: the arguments may hold test URIs
  return r;
}

// Every regular file under `root` (recursively): path -> bytes.
inline std::vector<std::pair<std::string, std::string>> all_files(const fs::path& root) {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (ec) break;
    if (it->is_regular_file(ec) && !it->is_symlink(ec))
      out.emplace_back(it->path().string(), testing::slurp(it->path().string()));
  }
  return out;
}

// The public key (PEM) of a private key PEM ("" on error).
// The public half of `key` as PEM; frees the key.
inline std::string take_public_pem(EVP_PKEY* key) {
  BIO* out = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(out, key);
  char* data = nullptr;
  long n = BIO_get_mem_data(out, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(out);
  EVP_PKEY_free(key);
  return pem;
}

inline std::string public_key_pem(const std::string& private_pem) {
  BIO* in = BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  return key ? take_public_pem(key) : "";
}

// A public key PEM that matches no key the tests hold (the token endpoint then rejects every JWT).
inline std::string unrelated_public_key_pem() { return take_public_pem(EVP_RSA_gen(2048)); }

// The base64 body lines of a PEM (what a leak of the key would show).
inline std::vector<std::string> pem_body_lines(const std::string& pem) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < pem.size()) {
    size_t nl = pem.find('\n', pos);
    std::string line = pem.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!line.empty() && line.rfind("-----", 0) != 0 && line.size() >= 32) lines.push_back(line);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return lines;
}

}  // namespace pt::hardening
