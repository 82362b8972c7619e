// Implementation of ranker/features.h. One pass over the tree (BM25 fields, learned-file ids,
// directory/extension sizes, recent-change and mention look-ups), then candidate selection from
// the union of the sources, then the feature rows of the selected files.
#include "ranker/features.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "ranker/bm25.h"
#include "ranker/path_tokens.h"

namespace pt::ranker {
namespace {

constexpr std::array<std::string_view, kFeatureCount> kNames = {
    "bm25_path",       "bm25_name",        "name_coverage",    "mention",       "depth",         "is_test",
    "dir_prior",       "ext_prior",        "recency_inv",      "in_prev",       "window_count",  "window_decay",
    "window_added",    "window_local_cc",  "log_count",        "short_rate",    "long_rate",     "cochange_prev",
    "cochange_window", "cochange_mention", "cochange_lexical", "word_file_max", "word_file_sum", "word_dir_max",
    "word_ext_max",    "partner_recency",  "partner_bm25",     "tree_size_log", "word_count",    "bm25_content",
    "content_only",    "content_rel",      "path_rel",         "defines",       "has_contents",  "frame",
    "issue_shape",     "quotes_message",
};

struct WindowInfo {
  int first = -1;  // position (0 = newest) of the newest commit touching the file
  int count = 0;
  float decay = 0;
  bool added = false;
  int local_cc = 0;
};

using Hash = std::hash<std::string_view>;

// Recent-commit facts per path of the trace's own <recent_commits>.
std::unordered_map<std::string_view, WindowInfo> window_facts(const std::vector<RecentCommit>& recent) {
  std::unordered_map<std::string_view, WindowInfo> out;
  std::unordered_set<std::string_view> newest;
  if (!recent.empty())
    for (const auto& c : recent[0].files) newest.insert(c.path);
  for (size_t i = 0; i < recent.size(); ++i) {
    bool shares = false;
    if (i > 0)
      for (const auto& c : recent[i].files) shares = shares || newest.count(c.path) > 0;
    for (const auto& c : recent[i].files) {
      WindowInfo& w = out[c.path];
      if (w.first >= 0 && w.first == static_cast<int>(i)) continue;  // listed twice in one commit
      if (w.first < 0) w.first = static_cast<int>(i);
      ++w.count;
      w.decay += static_cast<float>(std::pow(0.7, static_cast<double>(i)));
      w.added = w.added || c.status == 'A';
      w.local_cc += shares ? 1 : 0;
    }
  }
  return out;
}

// Learned co-change scores by history file id: max over the newest commit's files, a decayed sum
// over the window, and max over mentioned files.
struct CochangeScores {
  std::vector<float> prev, window, mention, lexical;
};

void add_commit_cochange(const HistoryStats& s, const std::vector<RecentChange>& files, std::vector<float>& scratch,
                         std::vector<int32_t>& touched) {
  for (const auto& c : files) {
    int32_t g = s.files.find(c.path);
    if (g < 0) continue;
    double denom = s.file_count[static_cast<size_t>(g)] + 1.0;
    for (const auto& [f, together] : s.cochange[static_cast<size_t>(g)]) {
      float p = static_cast<float>(together / denom);
      float& slot = scratch[static_cast<size_t>(f)];
      if (slot == 0) touched.push_back(f);
      slot = std::max(slot, p);
    }
  }
}

std::vector<RecentChange> as_changes(const HistoryStats& s, const std::vector<int32_t>& ids) {
  std::vector<RecentChange> out;
  for (int32_t g : ids) out.push_back({'M', s.files.text(g)});
  return out;
}

CochangeScores cochange_scores(const HistoryStats& s, const std::vector<RecentCommit>& recent,
                               const std::vector<int32_t>& mentioned_ids, const std::vector<int32_t>& lexical_ids) {
  const size_t n = s.files.size();
  CochangeScores out{std::vector<float>(n, 0), std::vector<float>(n, 0), std::vector<float>(n, 0),
                     std::vector<float>(n, 0)};
  std::vector<float> scratch(n, 0);
  std::vector<int32_t> touched;
  for (size_t i = 0; i < recent.size(); ++i) {
    add_commit_cochange(s, recent[i].files, scratch, touched);
    float w = static_cast<float>(std::pow(0.8, static_cast<double>(i)));
    for (int32_t f : touched) {
      size_t k = static_cast<size_t>(f);
      if (i == 0) out.prev[k] = scratch[k];
      out.window[k] += w * scratch[k];
      scratch[k] = 0;
    }
    touched.clear();
  }
  add_commit_cochange(s, as_changes(s, mentioned_ids), out.mention, touched);
  add_commit_cochange(s, as_changes(s, lexical_ids), out.lexical, touched);
  return out;
}

// Word -> file association: max and sum of positive log-lifts over the request's words.
void word_file_scores(const HistoryStats& s, const std::vector<int32_t>& word_ids, std::vector<float>& max_out,
                      std::vector<float>& sum_out) {
  max_out.assign(s.files.size(), 0);
  sum_out.assign(s.files.size(), 0);
  const double events = static_cast<double>(s.events) + 1.0;
  for (int32_t w : word_ids) {
    double nw = s.word_events[static_cast<size_t>(w)];
    for (const auto& [f, c] : s.word_files[static_cast<size_t>(w)]) {
      double pf = (s.file_count[static_cast<size_t>(f)] + 0.5) / events;
      double lift = std::log((c + 2.0 * pf) / ((nw + 2.0) * pf));
      if (lift <= 0) continue;
      size_t k = static_cast<size_t>(f);
      max_out[k] = std::max(max_out[k], static_cast<float>(lift));
      sum_out[k] += static_cast<float>(lift);
    }
  }
}

// Max log-lift of word -> key (a directory or an extension id) over the request's words.
float word_key_lift(const std::vector<SparseRow>& table, const std::vector<float>& key_count, double events,
                    const std::vector<float>& word_events, const std::vector<int32_t>& word_ids, int32_t key) {
  if (key < 0) return 0;
  double pk = (key_count[static_cast<size_t>(key)] + 0.5) / events;
  float best = 0;
  for (int32_t w : word_ids) {
    float c = sparse_get(table[static_cast<size_t>(w)], key);
    if (c <= 0) continue;
    double lift = std::log((c + 2.0 * pk) / ((word_events[static_cast<size_t>(w)] + 2.0) * pk));
    best = std::max(best, static_cast<float>(lift));
  }
  return best;
}

// Indices (into `keys`) of the `n` largest positive keys.
void take_top(const std::vector<float>& keys, size_t n, std::vector<char>& chosen) {
  std::vector<int32_t> idx;
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] > 0) idx.push_back(static_cast<int32_t>(i));
  if (idx.size() > n) {
    std::nth_element(idx.begin(), idx.begin() + static_cast<ptrdiff_t>(n), idx.end(), [&](int32_t a, int32_t b) {
      return keys[static_cast<size_t>(a)] != keys[static_cast<size_t>(b)]
                 ? keys[static_cast<size_t>(a)] > keys[static_cast<size_t>(b)]
                 : a < b;
    });
    idx.resize(n);
  }
  for (int32_t i : idx) chosen[static_cast<size_t>(i)] = 1;
}

// Trailing path segments `a` and `b` share ("x/black/linegen.py" and "src/black/linegen.py": 2).
int common_tail_segments(std::string_view a, std::string_view b) {
  int n = 0;
  while (!a.empty() && !b.empty()) {
    size_t sa = a.rfind('/'), sb = b.rfind('/');
    std::string_view ta = sa == std::string_view::npos ? a : a.substr(sa + 1);
    std::string_view tb = sb == std::string_view::npos ? b : b.substr(sb + 1);
    if (ta != tb) break;
    ++n;
    a = sa == std::string_view::npos ? std::string_view{} : a.substr(0, sa);
    b = sb == std::string_view::npos ? std::string_view{} : b.substr(0, sb);
  }
  return n;
}

// kFrame for `path`: frames naming it by at least two trailing segments (or all of the shorter
// path) count fully, by file name alone half.
float frame_score(std::string_view path, const std::vector<StackFrame>& frames) {
  float best = 0, weight = 1;
  for (const auto& f : frames) {
    int common = common_tail_segments(path, f.path);
    if (common > 0) {
      int shorter = std::min(path_depth(path), path_depth(f.path)) + 1;
      best = std::max(best, (common >= 2 || common == shorter ? 1.f : 0.5f) * weight);
    }
    weight *= 0.8f;
  }
  return best;
}

std::string_view name_without_ext(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos || dot == 0 ? name : name.substr(0, dot);
}

}  // namespace

std::string_view feature_name(int feature) {
  return feature >= 0 && feature < kFeatureCount ? kNames[static_cast<size_t>(feature)] : std::string_view("?");
}

CandidateSet extract_candidates(const TraceView& v, const HistoryStats& s, const std::vector<int32_t>& hot_files,
                                const CandidateOptions& o) {
  const size_t n = v.files.size();
  CandidateSet out;
  if (n == 0) return out;

  std::vector<double> bm25_path, bm25_name;
  bm25_path_and_name_scores(v.files, v.words, bm25_path, bm25_name);
  auto window = window_facts(v.recent);

  // Mentions: full paths (or path suffixes) and file names, with and without the extension.
  std::unordered_set<std::string_view> mention_names;
  for (const auto& m : v.mentions) {
    mention_names.insert(file_name(m));
    mention_names.insert(name_without_ext(file_name(m)));
  }

  // The tree pass.
  std::vector<int32_t> fid(n, -1);
  std::vector<size_t> dir_hash(n);
  std::string_view run_dir;  // files of one directory come together in a tree: hash once per run
  size_t run_hash = 0;
  bool in_run = false;
  std::vector<const WindowInfo*> win(n, nullptr);
  std::vector<uint8_t> mention(n, 0);
  std::unordered_map<size_t, int32_t> dir_size, ext_size;
  std::vector<int32_t> mentioned_ids;
  for (size_t i = 0; i < n; ++i) {
    std::string_view p = v.files[i];
    fid[i] = s.files.find(p);
    std::string_view dir = parent_dir(p);
    if (!in_run || dir != run_dir) {
      run_dir = dir;
      run_hash = Hash{}(dir);
      in_run = true;
    }
    dir_hash[i] = run_hash;
    ++dir_size[run_hash];
    ++ext_size[Hash{}(file_extension(p))];
    if (!window.empty()) {
      auto it = window.find(p);
      if (it != window.end()) win[i] = &it->second;
    }
    if (!mention_names.empty()) {
      std::string_view name = file_name(p);
      if (mention_names.count(name) || mention_names.count(name_without_ext(name))) {
        mention[i] = 1;
        for (const auto& m : v.mentions) {
          bool suffix = p.size() > m.size() && p.substr(p.size() - m.size()) == m && p[p.size() - m.size() - 1] == '/';
          // A traceback's absolute path ("/home/u/proj/lib/a.py") ends with the tree's path.
          bool inside = m.size() > p.size() && m.substr(m.size() - p.size()) == p && m[m.size() - p.size() - 1] == '/';
          if (p == m || suffix || inside || name_without_ext(p) == m) mention[i] = 2;
        }
        if (fid[i] >= 0) mentioned_ids.push_back(fid[i]);
      }
    }
  }

  std::vector<int32_t> word_ids;
  for (const auto& w : v.unique_words) {
    int32_t id = s.words.find(w);
    if (id >= 0) word_ids.push_back(id);
  }
  // The few known files matching the request best, for co-change with them.
  std::vector<int32_t> lexical_ids;
  {
    std::vector<size_t> idx;
    for (size_t i = 0; i < n; ++i)
      if (bm25_path[i] > 0 && fid[i] >= 0) idx.push_back(i);
    const size_t k = std::min<size_t>(3, idx.size());
    std::partial_sort(idx.begin(), idx.begin() + static_cast<ptrdiff_t>(k), idx.end(), [&](size_t a, size_t b) {
      return bm25_path[a] != bm25_path[b] ? bm25_path[a] > bm25_path[b] : a < b;
    });
    for (size_t j = 0; j < k; ++j) lexical_ids.push_back(fid[idx[j]]);
  }
  CochangeScores cc = cochange_scores(s, v.recent, mentioned_ids, lexical_ids);
  ContentScores content;
  if (v.tree && v.tree->repo) content = v.tree->repo->score(v.tree.get(), v.files, v.words, v.identifiers);
  const bool has_content = !content.bm25.empty();
  double best_content = 0, best_path = 0;
  for (size_t i = 0; i < n; ++i) {
    best_path = std::max(best_path, bm25_path[i]);
    if (has_content) best_content = std::max(best_content, content.bm25[i]);
  }
  std::vector<float> wf_max, wf_sum;
  word_file_scores(s, word_ids, wf_max, wf_sum);

  // Candidate selection: the union of every source.
  std::vector<char> chosen(n, 0);
  {
    std::vector<float> key(n, 0);
    for (size_t i = 0; i < n; ++i) key[i] = win[i] ? static_cast<float>(win[i]->decay) : 0.f;
    take_top(key, o.max_window_files, chosen);
    for (size_t i = 0; i < n; ++i) key[i] = static_cast<float>(bm25_path[i]);
    take_top(key, o.top_bm25, chosen);
    for (size_t i = 0; i < n; ++i) key[i] = static_cast<float>(bm25_name[i]);
    take_top(key, o.top_name, chosen);
    for (size_t i = 0; i < n; ++i) {
      size_t k = static_cast<size_t>(fid[i]);
      key[i] = fid[i] >= 0 ? cc.window[k] + cc.mention[k] + cc.lexical[k] : 0.f;
    }
    take_top(key, o.top_cochange, chosen);
    for (size_t i = 0; i < n; ++i) key[i] = fid[i] >= 0 ? wf_sum[static_cast<size_t>(fid[i])] : 0.f;
    take_top(key, o.top_words, chosen);
    if (has_content) {
      for (size_t i = 0; i < n; ++i) key[i] = static_cast<float>(content.bm25[i]);
      take_top(key, o.top_content, chosen);
      for (size_t i = 0; i < n; ++i) key[i] = content.defines[i];
      take_top(key, o.top_defines, chosen);
    }
    std::unordered_set<int32_t> hot(hot_files.begin(), hot_files.end());
    for (size_t i = 0; i < n; ++i)
      if (mention[i] || (fid[i] >= 0 && hot.count(fid[i]))) chosen[i] = 1;
    if (!v.frames.empty())
      for (size_t i = 0; i < n; ++i)
        if (frame_score(v.files[i], v.frames) > 0) chosen[i] = 1;
  }

  const double events = static_cast<double>(s.events) + 1.0;
  const float tree_log = static_cast<float>(std::log(static_cast<double>(n)));
  for (size_t i = 0; i < n; ++i) {
    if (!chosen[i]) continue;
    std::string_view p = v.files[i];
    std::array<float, kFeatureCount> x{};
    x[kBm25Path] = static_cast<float>(bm25_path[i]);
    x[kBm25Name] = static_cast<float>(bm25_name[i]);
    {
      int total = 0, hit = 0;
      for_each_token(file_stem(p), [&](std::string_view t) {
        ++total;
        hit += std::find(v.unique_words.begin(), v.unique_words.end(), t) != v.unique_words.end();
      });
      x[kNameCoverage] = total > 0 ? static_cast<float>(hit) / static_cast<float>(total) : 0.f;
    }
    x[kMention] = mention[i];
    x[kDepth] = static_cast<float>(path_depth(p));
    x[kIsTest] = is_test_path(p) ? 1.f : 0.f;
    int32_t d = s.dirs.find(parent_dir(p)), e = s.exts.find(file_extension(p));
    double dcount = d >= 0 ? s.dir_count[static_cast<size_t>(d)] : 0.0,
           ecount = e >= 0 ? s.ext_count[static_cast<size_t>(e)] : 0.0;
    x[kDirPrior] = static_cast<float>(std::log((dcount + 0.1) / events / dir_size[dir_hash[i]]));
    x[kExtPrior] = static_cast<float>(std::log((ecount + 0.1) / events / ext_size[Hash{}(file_extension(p))]));
    if (const WindowInfo* w = win[i]) {
      x[kRecencyInv] = 1.f / static_cast<float>(w->first + 1);
      x[kInPrev] = w->first == 0 ? 1.f : 0.f;
      x[kWindowCount] = static_cast<float>(w->count);
      x[kWindowDecay] = w->decay;
      x[kWindowAdded] = w->added ? 1.f : 0.f;
      x[kWindowLocalCc] = static_cast<float>(w->local_cc);
    }
    if (int32_t f = fid[i]; f >= 0) {
      size_t k = static_cast<size_t>(f);
      x[kLogCount] = static_cast<float>(std::log1p(s.file_count[k]));
      x[kShortRate] = static_cast<float>(s.short_rate(f));
      x[kLongRate] = static_cast<float>(s.long_rate(f));
      x[kCochangePrev] = cc.prev[k];
      x[kCochangeWindow] = cc.window[k];
      x[kCochangeMention] = cc.mention[k];
      x[kCochangeLexical] = cc.lexical[k];
      x[kWordFileMax] = wf_max[k];
      x[kWordFileSum] = wf_sum[k];
    }
    if (!word_ids.empty()) {
      x[kWordDirMax] = word_key_lift(s.word_dirs, s.dir_count, events, s.word_events, word_ids, d);
      x[kWordExtMax] = word_key_lift(s.word_exts, s.ext_count, events, s.word_events, word_ids, e);
    }
    x[kTreeSizeLog] = tree_log;
    x[kWordCount] = static_cast<float>(v.unique_words.size());
    x[kIssueShape] = static_cast<float>(v.issue_shape);
    if (!v.frames.empty()) x[kFrame] = frame_score(p, v.frames);
    x[kPathRel] = best_path > 0 ? static_cast<float>(bm25_path[i] / best_path) : 0.f;
    if (has_content) {
      x[kBm25Content] = static_cast<float>(content.bm25[i]);
      x[kContentOnly] = static_cast<float>(content.content_only[i]);
      x[kContentRel] = best_content > 0 ? static_cast<float>(content.bm25[i] / best_content) : 0.f;
      x[kDefines] = content.defines[i];
      x[kHasContents] = 1.f;
      if (v.issue_shape > 0)
        if (const IssueMaterial* m = v.tree->repo->issue_material(*v.tree, p))
          for (const auto& msg : m->messages)
            if (v.request.find(msg) != std::string::npos) x[kQuotesMessage] = 1.f;
    }
    out.file.push_back(static_cast<int32_t>(i));
    out.x.insert(out.x.end(), x.begin(), x.end());
  }

  // Test/source partners among the candidates.
  std::unordered_map<std::string_view, std::vector<size_t>> by_stem;
  for (size_t c = 0; c < out.size(); ++c) by_stem[file_stem(v.files[static_cast<size_t>(out.file[c])])].push_back(c);
  for (const auto& [stem, members] : by_stem) {
    if (members.size() < 2) continue;
    for (size_t a : members)
      for (size_t b : members) {
        if (a == b) continue;
        float* xa = out.x.data() + a * kFeatureCount;
        const float* xb = out.x.data() + b * kFeatureCount;
        if (xa[kIsTest] == xb[kIsTest]) continue;
        xa[kPartnerRecency] = std::max(xa[kPartnerRecency], xb[kRecencyInv]);
        xa[kPartnerBm25] = std::max(xa[kPartnerBm25], xb[kBm25Path]);
      }
  }
  return out;
}

}  // namespace pt::ranker
