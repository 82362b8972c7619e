// Whole-file token counting for the `tokens` command (see token_files.h).
#include "tokenizer/token_files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "util/utf8.h"

namespace pt {
namespace {

Result<std::string> read_all(const std::string& path) {
  const bool is_stdin = path == "-";
  std::FILE* f = is_stdin ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) return runtime_error(path + ": cannot open: " + std::strerror(errno));
  std::string data;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  if (!is_stdin) std::fclose(f);
  if (failed) return runtime_error(path + ": read error: " + std::strerror(err));
  return data;
}

}  // namespace

Result<FileTokenCount> count_file_tokens(const GemmaTokenizer& tokenizer, const std::string& path) {
  PT_ASSIGN_OR_RETURN(std::string text, read_all(path));
  size_t bad = tok::utf8_invalid_offset(text);
  if (bad != std::string::npos)
    return runtime_error((path == "-" ? std::string("<stdin>") : path) + ": invalid UTF-8 at byte offset " +
                         std::to_string(bad));
  return FileTokenCount{path, text.size(), tokenizer.count(text)};
}

Result<std::vector<FileTokenCount>> count_files_tokens(const GemmaTokenizer& tokenizer,
                                                       const std::vector<std::string>& paths) {
  std::vector<FileTokenCount> counts;
  for (const std::string& path : paths) {
    PT_ASSIGN_OR_RETURN(FileTokenCount c, count_file_tokens(tokenizer, path));
    counts.push_back(std::move(c));
  }
  return counts;
}

}  // namespace pt
