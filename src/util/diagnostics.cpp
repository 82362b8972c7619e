// Implementation of util/diagnostics.h: one mutex around the entries, the per-code counts and the
// listener call, so reports from collect's workers reach the listener whole and in one order.
#include "util/diagnostics.h"

#include <utility>

namespace pt {

void Diagnostics::warn(std::string_view code, std::string message) {
  report({Severity::warning, std::string(code), std::move(message)});
}

void Diagnostics::note(std::string_view code, std::string message) {
  report({Severity::note, std::string(code), std::move(message)});
}

void Diagnostics::report(Diagnostic d) {
  std::lock_guard lock(mu_);
  auto it = counts_.find(d.code);
  if (it == counts_.end()) it = counts_.emplace(d.code, 0).first;
  ++it->second;
  if (d.severity == Severity::warning) ++warnings_;
  entries_.push_back(std::move(d));
  if (listener_) listener_(entries_.back());
}

size_t Diagnostics::count(std::string_view code) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(code);
  return it == counts_.end() ? 0 : it->second;
}

size_t Diagnostics::warnings() const {
  std::lock_guard lock(mu_);
  return warnings_;
}

std::vector<Diagnostic> Diagnostics::all() const {
  std::lock_guard lock(mu_);
  return entries_;
}

std::vector<std::string> Diagnostics::warning_messages() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const Diagnostic& d : entries_)
    if (d.severity == Severity::warning) out.push_back(d.message);
  return out;
}

std::string_view diagnostic_area(std::string_view code) { return code.substr(0, code.find('/')); }

}  // namespace pt
