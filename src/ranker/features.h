// Candidate generation and features of the student: for one trace, a few hundred plausible files
// out of the whole tree (recently changed, co-changed with recent changes, lexically matching,
// mentioned, associated with the request's words, matching in contents or defining a named
// symbol, historically hot), each described by a fixed
// feature vector built only from the trace itself plus statistics learned from training traces.
// The feature list is part of the model file format: adding one bumps the format version.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ranker/history_stats.h"
#include "ranker/trace_view.h"

namespace pt::ranker {

enum Feature : int {
  // Lexical: request words vs the path.
  kBm25Path,      // BM25 over all path tokens (what local:bm25 ranks by)
  kBm25Name,      // BM25 over the file name's tokens only
  kNameCoverage,  // share of the file stem's tokens present in the request
  kMention,       // 2: the request names the path; 1: it names the file name; else 0
  // Shape of the path.
  kDepth,
  kIsTest,
  kDirPrior,  // log(training targets in the file's directory per trace per file of that dir in this tree)
  kExtPrior,  // the same for the extension
  // The trace's own recent commits (newest first).
  kRecencyInv,     // 1 / position of the newest recent commit touching the file, 0 if none
  kInPrev,         // touched by the newest recent commit
  kWindowCount,    // recent commits touching the file
  kWindowDecay,    // sum over those commits of 0.7^position
  kWindowAdded,    // added (status A) within the recent commits
  kWindowLocalCc,  // older recent commits touching the file that share a file with the newest one
  // Learned from training traces.
  kLogCount,         // log(1 + times the file was a target)
  kShortRate,        // time-decayed target count (short half-life)
  kLongRate,         // time-decayed target count (long half-life)
  kCochangePrev,     // max over the newest recent commit's files g of P(file | g)
  kCochangeWindow,   // sum over recent commits of 0.8^position x max over their files g of P(file | g)
  kCochangeMention,  // max over files the request names of P(file | g)
  kCochangeLexical,  // max over the 3 files best matching the request (path BM25) of P(file | g)
  kWordFileMax,      // max over request words of log-lift(word -> file)
  kWordFileSum,      // sum of the positive log-lifts(word -> file)
  kWordDirMax,       // max over request words of log-lift(word -> file's directory)
  kWordExtMax,       // max over request words of log-lift(word -> file's extension)
  // Test/source pairing (same file stem, one a test, the other not) among the candidates.
  kPartnerRecency,
  kPartnerBm25,
  // Context of the trace.
  kTreeSizeLog,
  kWordCount,
  // The request against the contents of the tree the call saw (TraceView::tree; 0 without it).
  kBm25Content,  // BM25 over path + contents (what local:bm25-content ranks by)
  kContentOnly,  // BM25 over the contents alone
  kContentRel,   // kBm25Content / the trace's best kBm25Content
  kPathRel,      // kBm25Path / the trace's best kBm25Path
  kDefines,      // request identifiers (as written) the file defines, idf-weighted
  kHasContents,  // 1 when the tree's contents are known
  // Stack frames quoted by the request (an issue's traceback).
  kFrame,  // max over frames naming the file of 0.8^(frames nearer the innermost); half for a name-only match
  // The request's shape (TraceView::issue_shape, 0-4): lets the trees weigh contents and symbols
  // over history for requests written as bug reports.
  kIssueShape,
  // 1 when the request quotes verbatim one of the message literals the file holds
  // (IssueMaterial::messages): an issue pasting the error it got.
  kQuotesMessage,
  kFeatureCount
};

std::string_view feature_name(int feature);

struct CandidateSet {
  std::vector<int32_t> file;  // index into TraceView::files
  std::vector<float> x;       // file.size() rows of kFeatureCount features
  const float* row(size_t i) const { return x.data() + i * kFeatureCount; }
  size_t size() const { return file.size(); }
};

struct CandidateOptions {
  size_t max_window_files = 150;
  size_t top_bm25 = 80;
  size_t top_name = 40;
  size_t top_cochange = 80;
  size_t top_words = 60;
  size_t top_content = 60;
  size_t top_defines = 30;
};

// `hot_files`: the training history's top files by short-term rate (HistoryStats::top_files),
// passed in so a caller can cache it.
CandidateSet extract_candidates(const TraceView& view, const HistoryStats& stats, const std::vector<int32_t>& hot_files,
                                const CandidateOptions& options = {});

}  // namespace pt::ranker
