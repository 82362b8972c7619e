// CLI: `tokens [--json] FILE…` — exact Gemini (Gemma 3 tokenizer) token counts of each file's
// text as is, no BOS/EOS; `-` reads standard input. A table with a total, or with --json one
// line per file: {"file": PATH, "tokens": N}. Counting lives in src/tokenizer/token_files.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "tokenizer/token_files.h"

namespace pt::cli {
namespace {

struct TokensOptions {
  std::vector<std::string> files;
  bool json = false;
};

void print_counts(const std::vector<FileTokenCount>& counts, bool json) {
  if (json) {
    for (const auto& c : counts) {
      std::string file = nlohmann::json(c.file).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      std::printf("{\"file\": %s, \"tokens\": %zu}\n", file.c_str(), c.tokens);
    }
    return;
  }
  size_t total = 0;
  std::printf("%12s  %s\n", "TOKENS", "FILE");
  for (const auto& c : counts) {
    std::printf("%12zu  %s\n", c.tokens, c.file.c_str());
    total += c.tokens;
  }
  std::printf("%12zu  %s\n", total, "total");
}

Result<void> run_tokens(const TokensOptions& opt) {
  PT_ASSIGN_OR_RETURN(const GemmaTokenizer* tokenizer, GemmaTokenizer::shared());
  PT_ASSIGN_OR_RETURN(auto counts, count_files_tokens(*tokenizer, opt.files));
  print_counts(counts, opt.json);
  return ok();
}

}  // namespace

void register_tokens_command(CLI::App& app, Context& ctx) {
  auto opt = std::make_shared<TokensOptions>();
  auto* cmd = app.add_subcommand("tokens", "exact Gemini token counts of files (text as is, no BOS/EOS)");
  cmd->add_option("files", opt->files, "files to count ('-' for standard input)")->required();
  cmd->add_flag("--json", opt->json, "one JSON object per line: {\"file\": PATH, \"tokens\": N}");
  cmd->callback([opt, &ctx] { ctx.action = [opt] { return run_tokens(*opt); }; });
}

}  // namespace pt::cli
