// The relabel run's final report for the terminal: done, skipped, failed by reason with the failed
// trace ids, tokens and dollars; or, for --dry-run, the count and price estimate.
#pragma once
#include <string>

#include "pipeline/relabel/relabel.h"

namespace pt {

// What a dry run's token count is: "exact Gemini tokens, ..." for gemini:/vertex: counted with
// the Gemma 3 tokenizer, otherwise "estimate: ..." naming why (Claude/GPT tokenizers differ).
std::string dry_run_token_label(const std::string& model, const std::string& tokenizer_name);
std::string render_relabel_summary(const RelabelSummary& summary, const RelabelOptions& options);

}  // namespace pt
