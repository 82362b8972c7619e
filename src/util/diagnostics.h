// The one warning sink: a run reports what the user should know besides its result (warnings,
// notes) into a Diagnostics object, each with a short code ("collect/bad_row"); the object counts
// them per code, keeps them in order and hands each to a listener as it arrives. pipeline/ only
// reports; cli/ decides how (and where) they are printed. Safe to report from several threads.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pt {

enum class Severity { note, warning };

struct Diagnostic {
  Severity severity = Severity::warning;
  std::string code;     // "AREA/WHAT", e.g. "collect/bad_row", "relabel/batch"
  std::string message;  // one line, no prefix, never a credential
};

class Diagnostics {
 public:
  using Listener = std::function<void(const Diagnostic&)>;

  Diagnostics() = default;
  // `listener` sees every diagnostic as it is reported, one at a time, in report order.
  explicit Diagnostics(Listener listener) : listener_(std::move(listener)) {}
  Diagnostics(const Diagnostics&) = delete;
  Diagnostics& operator=(const Diagnostics&) = delete;

  void warn(std::string_view code, std::string message);
  void note(std::string_view code, std::string message);
  void report(Diagnostic d);

  size_t count(std::string_view code) const;  // reports of this code so far
  size_t warnings() const;                    // warnings of any code so far
  std::vector<Diagnostic> all() const;        // every report, in order
  std::vector<std::string> warning_messages() const;

 private:
  mutable std::mutex mu_;
  Listener listener_;
  std::vector<Diagnostic> entries_;
  std::map<std::string, size_t, std::less<>> counts_;
  size_t warnings_ = 0;
};

// The area of a code: "collect" for "collect/bad_row" (the whole code when it has no '/').
std::string_view diagnostic_area(std::string_view code);

}  // namespace pt
