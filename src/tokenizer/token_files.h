// Exact token counts of whole files (the `tokens` command): each file's bytes are counted as
// text as is (a JSONL file too), no BOS/EOS. Files must be valid UTF-8: a bad byte is an
// error naming the file and the byte offset (never a silent U+FFFD count).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "tokenizer/gemma_tokenizer.h"
#include "util/result.h"

namespace pt {

struct FileTokenCount {
  std::string file;  // as given ("-" for stdin)
  size_t bytes = 0;
  size_t tokens = 0;
};

// Reads `path` ("-" = standard input) whole and counts its tokens.
Result<FileTokenCount> count_file_tokens(const GemmaTokenizer& tokenizer, const std::string& path);

// All files, in order; the first failure is returned and nothing else.
Result<std::vector<FileTokenCount>> count_files_tokens(const GemmaTokenizer& tokenizer,
                                                       const std::vector<std::string>& paths);

}  // namespace pt
