// Implementation of report/collect_summary.h.
#include "report/collect_summary.h"

#include <fmt/format.h>

#include "pipeline/collect/collect_manifest.h"

namespace pt {

std::string collect_summary_text(const CollectOptions& o, const CollectSummary& s) {
  std::string out = fmt::format("wrote {} samples to {}", s.samples, s.train_path);
  if (!s.validation_path.empty()) out += fmt::format(" and {} to {}", s.validation_samples, s.validation_path);
  out += fmt::format("\n{} traces read, {} relabels by {}", s.traces_read, s.relabels_read, o.teacher);
  std::string drops;
  for (const auto& [reason, n] : s.dropped)
    if (n) drops += fmt::format("{}{} {}", drops.empty() ? "" : ", ", n, reason);
  out += drops.empty() ? "; nothing dropped" : "; dropped: " + drops;
  int64_t tokens = s.tokens_train + s.tokens_validation;
  double usd = tuning_cost_usd(o.price_per_mtok, o.epochs, s.tokens_train);
  out += fmt::format("\n{} tokens ({} training); est. tuning cost ${:.{}f} (${:.2f}/1M x {} epochs x training tokens)",
                     tokens, s.tokens_train, usd, usd < 1 ? 4 : 2, o.price_per_mtok, o.epochs);
  out += fmt::format("\nmanifest: {}\n", s.manifest_path);
  return out;
}

}  // namespace pt
