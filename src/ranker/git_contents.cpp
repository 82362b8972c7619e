// RepoContents::load_git (ranker/tree_contents.h): every object of a repository (or of a bundle,
// cloned into a temporary directory first) read in one streamed `git cat-file --batch-all-objects
// --batch --unordered` run: "<oid> <type> <size>\n<body>\n" per object. Commits and trees are
// kept; blobs are tokenized as they arrive (binary or larger than kMaxBlobBytes: path only).
#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "ranker/tree_contents.h"
#include "util/process.h"

namespace pt::ranker {
namespace {

class BatchParser {
 public:
  explicit BatchParser(RepoContents& repo) : repo_(repo) {}

  Result<void> feed(std::string_view chunk) {
    while (!chunk.empty()) {
      if (state_ == State::header) {
        size_t eol = chunk.find('\n');
        header_.append(chunk.substr(0, eol == std::string_view::npos ? chunk.size() : eol));
        if (eol == std::string_view::npos) return ok();
        chunk.remove_prefix(eol + 1);
        PT_TRY(start_object());
      } else if (state_ == State::body) {
        const size_t take = std::min<size_t>(remaining_, chunk.size());
        if (keep_) body_.append(chunk.substr(0, take));
        remaining_ -= take;
        chunk.remove_prefix(take);
        if (remaining_ == 0) finish_object();
      } else {  // the newline after a body
        chunk.remove_prefix(1);
        state_ = State::header;
      }
    }
    return ok();
  }

 private:
  enum class State { header, body, newline };

  Result<void> start_object() {
    std::string_view h = header_;
    size_t a = h.find(' '), b = h.rfind(' ');
    if (a == std::string_view::npos || b == a) return runtime_error(fmt::format("git cat-file: bad header '{}'", h));
    oid_ = std::string(h.substr(0, a));
    type_ = std::string(h.substr(a + 1, b - a - 1));
    size_t size = 0;
    for (char c : h.substr(b + 1)) size = size * 10 + static_cast<size_t>(c - '0');
    header_.clear();
    body_.clear();
    keep_ = type_ == "commit" || type_ == "tree" || (type_ == "blob" && size <= RepoContents::kMaxBlobBytes);
    oversized_ = type_ == "blob" && !keep_;
    remaining_ = size;
    state_ = State::body;
    if (size == 0) finish_object();
    return ok();
  }

  void finish_object() {
    if (type_ == "commit") {
      repo_.add_commit(oid_, body_);
    } else if (type_ == "tree") {
      repo_.add_tree(oid_, body_);
    } else if (type_ == "blob") {
      bool text = !oversized_ && body_.find('\0') == std::string::npos;
      repo_.add_blob(oid_, text ? std::string_view(body_) : std::string_view(), text);
    }
    state_ = State::newline;
  }

  RepoContents& repo_;
  std::string header_, body_, oid_, type_;
  size_t remaining_ = 0;
  State state_ = State::header;
  bool keep_ = false, oversized_ = false;
};

}  // namespace

Result<std::unique_ptr<RepoContents>> RepoContents::load_git(const std::string& source) {
  struct stat st {};
  if (::stat(source.c_str(), &st) != 0) return usage_error(fmt::format("{}: no such file or directory", source));
  std::optional<TempDir> tmp;
  std::string dir = source;
  if (!S_ISDIR(st.st_mode)) {
    PT_ASSIGN_OR_RETURN(TempDir t, TempDir::create("picktune-contents-"));
    dir = t.path() + "/repo.git";
    tmp.emplace(std::move(t));
    auto cloned = run_git(GitCommand{{"clone", "--mirror", "--quiet", "--", source, dir}, {}});
    if (!cloned.ok())
      return runtime_error(fmt::format("{}: cannot read as a git bundle: {}", source, cloned.error().message));
  }
  auto repo = std::make_unique<RepoContents>();
  BatchParser parser(*repo);
  PT_TRY(run_git_streaming(GitCommand{{"-C", dir, "cat-file", "--batch-all-objects", "--batch", "--unordered"}, {}},
                           [&](std::string_view chunk) { return parser.feed(chunk); }));
  return repo;
}

}  // namespace pt::ranker
