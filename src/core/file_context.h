// The teacher's extra file context of `relabel --with-context` (docs/formats.md#teacher-context):
// the stored blob files of an agent step rendered as <file-contents> entries inside
// the "## Partial file context" section, cut to a token budget by a caller-given counting function.
// Pure: no I/O; the caller supplies the blob payload and the tokenizer.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pt {

struct ContextFile {
  std::string path;
  std::string content;
};

// Counts tokens of a text (the Gemma tokenizer, or an approximation). Never more tokens than the
// text has bytes (render_file_context relies on it).
using TokenCountFn = std::function<size_t(std::string_view)>;

// payload.files of a get-expanded-file-context-for-training-blobs trace, in payload order.
// Entries whose content is not a string are an error naming the field.
Result<std::vector<ContextFile>> parse_blob_files(std::string_view payload_json);

// One entry: "<file-contents>\n <name>PATH</name>\n <contents>CONTENT</contents>\n</file-contents>".
std::string render_file_entry(std::string_view path, std::string_view content);

// The section wrapped around the joined entries (exact production wording).
std::string wrap_file_context(std::string_view joined_entries);

struct RenderedFileContext {
  std::string text;         // "" when no file fits (or there are none)
  int files_included = 0;   // whole files
  int files_truncated = 0;  // 0 or 1: the file whose content was cut to fit
  int files_dropped = 0;    // files left out entirely
};

// Renders files in order while the running token count stays within max_tokens; the first file
// that does not fit is cut (at a line boundary when possible) if at least kMinTruncatedTokens
// remain, and every later file is dropped. max_tokens <= 0 means no limit.
inline constexpr size_t kMinTruncatedTokens = 64;
RenderedFileContext render_file_context(const std::vector<ContextFile>& files, long long max_tokens,
                                        const TokenCountFn& count_tokens);

// The (path, content) entries of a rendered context text, for local models that read it back.
std::vector<ContextFile> parse_rendered_file_context(std::string_view text);

// A rough token count when no tokenizer is available: one token per 4 bytes, rounded up.
size_t approx_token_count(std::string_view text);

}  // namespace pt
