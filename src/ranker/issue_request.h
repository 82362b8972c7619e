// Reading a request written as a bug report (a GitHub issue: title, prose, fenced code, pasted
// tracebacks) rather than a commit message. The stack frames it quotes are the strongest
// evidence an issue carries: their paths name files, their functions name symbols. Frames are
// read from Python ('File "x.py", line 3, in f'), JavaScript ('at f (/a/x.js:3:7)') and
// compiler/panic style ('src/x.rs:3:7', 'x.go:12') lines, innermost frame first.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace pt::ranker {

struct StackFrame {
  std::string path;      // as written (may be absolute, may lie outside the repository)
  int line = 0;          // 0 when not given
  std::string function;  // "" when not given
};

struct IssueRequest {
  std::string title;                     // first non-empty line
  std::string prose;                     // everything outside fenced code blocks
  std::vector<std::string> code_blocks;  // contents of ``` / ~~~ fences, in order
  std::vector<StackFrame> frames;        // innermost first, duplicates (same path and line) dropped
  // How much the text reads like a bug report rather than a commit message, 0-4: one each for
  // fenced code, a stack frame, an error line ("...Error: ", "Exception: ", "panic: ", "error: ",
  // "error["), a quoted span in the prose (`code` or "text" of 3+ characters).
  int shape = 0;
};

IssueRequest parse_issue_request(std::string_view text);

}  // namespace pt::ranker
