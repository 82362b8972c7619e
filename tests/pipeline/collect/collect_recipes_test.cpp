// collect reproduces each of the eight registry recipes (--recipe ft_filepicker_003 …
// ft_filepicker_topk_003): a small store of Key and Non-Obvious traces of several steps, records
// checked field by field against an independently written expectation, and the manifest.
#include <gtest/gtest.h>

#include "core/file_list.h"
#include "pipeline/collect/collect.h"
#include "pipeline/collect/collect_options.h"
#include "pipeline/collect/fixture.h"
#include "pipeline/registry/recipe_loader.h"
#include "store/memory/memory_store.h"
#include "store/store.h"

namespace pt {
namespace {

using namespace pt::testing;

constexpr int kSteps = 4;  // step 4 has no relabel by either teacher

std::string teacher_model(const std::string& registry_teacher) { return "anthropic:" + registry_teacher; }

std::vector<Row> recipe_traces() {
  std::vector<Row> traces;
  for (int s = 1; s <= kSteps; ++s) {
    traces.push_back(trace_row(s, "Key", s <= 2 ? "u1" : "u2"));
    traces.push_back(trace_row(s, "Non-Obvious", s <= 2 ? "u1" : "u2"));
  }
  return traces;
}

std::vector<Row> recipe_relabels() {
  std::vector<Row> relabels;
  for (int s = 1; s < kSteps; ++s) {
    for (std::string kind : {"Key", "Non-Obvious"}) {
      relabels.push_back(relabel_row(s, kind, "anthropic:claude-3-5-sonnet-20241022", false));
      relabels.push_back(relabel_row(s, kind, "anthropic:claude-opus-4-20250514", true));
    }
  }
  // an opus relabel made without context must not reach a with-context recipe
  relabels.push_back(relabel_row(1, "Key", "anthropic:claude-opus-4-20250514", false));
  return relabels;
}

// The fixture in an in-memory store or in a fresh SQLite file (open_store).
std::unique_ptr<Store> recipe_store(const std::string& backend, const std::string& dir) {
  std::unique_ptr<Store> store;
  if (backend == "memory") {
    store = std::make_unique<MemoryStore>();
  } else {
    auto opened = open_store(StoreOptions{"sqlite:" + dir + "/store.db", "dev"});
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    if (!opened.ok()) return nullptr;
    store = std::move(*opened);
  }
  auto traces = recipe_traces(), relabels = recipe_relabels();
  EXPECT_TRUE(store->upsert(Table::traces, traces).ok());
  EXPECT_TRUE(store->upsert(Table::relabels, relabels).ok());
  return store;
}

json text_parts(const std::vector<std::string>& texts) {
  json parts = json::array();
  for (const auto& t : texts) parts.push_back({{"text", t}});
  return parts;
}

std::string dashes_instruction() {
  return " Make sure to end your response with three lines of dashes, ie: \"" + std::string(kStopDashes) + "\"";
}

// What the record for (step, kind) must be under recipe r, written out by hand.
json expected_record(int step, const std::string& kind, const Recipe& r) {
  std::string s = std::to_string(step);
  json system =
      step % 2 == 0 ? text_parts({tree_of(step), git_of(step)}) : text_parts({tree_of(step) + "\n" + git_of(step)});
  std::string prompt = kind == "Key" ? key_prompt(step) : non_obvious_prompt(step);
  if (kind == "Key" && (r.top_k || r.stop_dashes))
    prompt = key_picker_prompt(request_of(step), r.top_k.value_or(12)) + (r.stop_dashes ? dashes_instruction() : "");
  else if (r.stop_dashes)
    prompt += "\n\nMake sure to end your response with three lines of dashes, ie: \"" + std::string(kStopDashes) + "\"";
  std::string dir = kind == "Key" ? "key/" : "nonobv/";
  std::string sfx = s + (r.with_file_context ? "" : "-noctx") + ".ts";
  std::vector<std::string> paths = {dir + "a" + sfx, dir + "b" + sfx, dir + "c" + sfx, dir + "d" + sfx,
                                    dir + "e" + sfx};
  std::string answer;
  if (r.top_k) {
    for (int i = 0; i < *r.top_k; ++i) answer += (i ? "\n" : "") + paths[i];
  } else {
    answer = paths[0] + "\nnot a path\n" + paths[1] + "\n" + paths[2] + "\n" + paths[3] + "\n" + paths[4];
  }
  if (r.stop_dashes) answer += "\n" + std::string(kStopDashes);
  json contents;
  if (r.blobbify_history) {
    contents = json::array(
        {{{"role", "user"},
          {"parts", text_parts({request_of(step) + "-first",
                                "<previous_assistant_message>Looking at " + s + "</previous_assistant_message>",
                                "screenshot " + s,
                                "<previous_assistant_message>Done " + s + "</previous_assistant_message>", prompt})}},
         {{"role", "model"}, {"parts", text_parts({answer})}}});
  } else {
    contents = json::array({{{"role", "user"}, {"parts", text_parts({request_of(step) + "-first"})}},
                            {{"role", "model"}, {"parts", text_parts({"Looking at " + s})}},
                            {{"role", "user"}, {"parts", text_parts({"screenshot " + s})}},
                            {{"role", "model"}, {"parts", text_parts({"Done " + s})}},
                            {{"role", "user"}, {"parts", text_parts({prompt})}},
                            {{"role", "model"}, {"parts", text_parts({answer})}}});
  }
  return {{"systemInstruction", {{"role", "system"}, {"parts", system}}}, {"contents", contents}};
}

size_t byte_tokens(const json& record) {
  size_t n = 0;
  for (const auto& p : record["systemInstruction"]["parts"]) n += p["text"].get<std::string>().size();
  for (const auto& c : record["contents"])
    for (const auto& p : c["parts"]) n += p["text"].get<std::string>().size();
  return n;
}

class RecipeTest : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(RecipeTest, ProducesTheRecipesRecordsFieldByField) {
  const auto& [id, backend] = GetParam();
  auto entry = load_registry_recipe(default_registry_path(), id);
  ASSERT_TRUE(entry.ok()) << entry.error().message;
  std::string dir = temp_dir();
  auto store = recipe_store(backend, dir);
  ASSERT_TRUE(store);
  CollectFlags flags;
  flags.teacher = teacher_model(entry->teacher);
  flags.recipe = id;
  flags.output = dir + "/" + id;
  auto options = resolve_collect_options(flags);
  ASSERT_TRUE(options.ok()) << options.error().message;
  options->count_tokens = [](std::string_view t) { return t.size(); };
  Diagnostics diagnostics([](const Diagnostic& d) { ADD_FAILURE() << "unexpected warning: " << d.message; });
  options->diagnostics = &diagnostics;
  auto summary = run_collect(*store, *options);
  ASSERT_TRUE(summary.ok()) << summary.error().message;

  const Recipe& r = entry->recipe;
  std::vector<json> expected;
  for (int s = 1; s < kSteps; ++s)
    for (std::string kind : {"Key", "Non-Obvious"})
      if (std::find(r.request_kinds.begin(), r.request_kinds.end(), request_kind_of(kind)) != r.request_kinds.end())
        expected.push_back(expected_record(s, kind, r));
  std::vector<json> got = read_jsonl(dir + "/" + id + ".jsonl");
  ASSERT_EQ(got.size(), expected.size());
  size_t tokens = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], expected[i]) << id << " record " << i << "\n got: " << got[i].dump()
                                   << "\nwant: " << expected[i].dump();
    tokens += byte_tokens(expected[i]);
  }

  json m = json::parse(read_text(dir + "/" + id + ".manifest.json"));
  EXPECT_EQ(m["recipe"]["id"], id);
  EXPECT_EQ(m["recipe"]["request_kinds"], json(request_kind_names(r.request_kinds)));
  EXPECT_EQ(m["recipe"]["top_k"], r.top_k ? json(*r.top_k) : json(nullptr));
  EXPECT_EQ(m["recipe"]["stop_dashes"], r.stop_dashes);
  EXPECT_EQ(m["recipe"]["blobbify_history"], r.blobbify_history);
  EXPECT_EQ(m["filters"]["with_context"], r.with_file_context);
  EXPECT_EQ(m["teacher"], flags.teacher);
  EXPECT_EQ(m["samples"], expected.size());
  EXPECT_EQ(m["validation_samples"], 0);
  size_t kinds = r.request_kinds.size();
  EXPECT_EQ(m["dropped"]["no_relabel"], kinds);                    // step 4
  EXPECT_EQ(m["dropped"]["kind_filtered"], (2 - kinds) * kSteps);  // the other kind
  EXPECT_EQ(m["dropped"]["relabel_context_mismatch"], 0);
  EXPECT_EQ(m["tokens"]["total"], tokens);
  int epochs = entry->epochs.value_or(1);
  EXPECT_EQ(m["tuning_cost_estimate"]["epochs"], epochs);
  EXPECT_DOUBLE_EQ(m["tuning_cost_estimate"]["usd"].get<double>(), 3.00 * epochs * static_cast<double>(tokens) / 1e6);
  EXPECT_FALSE(file_exists(dir + "/" + id + "-validation.jsonl"));
}

INSTANTIATE_TEST_SUITE_P(Registry, RecipeTest,
                         ::testing::Combine(::testing::Values("ft_filepicker_003", "ft_filepicker_005",
                                                              "ft_filepicker_007", "ft_filepicker_topk_001",
                                                              "ft_filepicker_008", "ft_filepicker_topk_002",
                                                              "ft_filepicker_010", "ft_filepicker_topk_003"),
                                            ::testing::Values("memory", "sqlite")),
                         [](const auto& info) { return std::get<0>(info.param) + "_" + std::get<1>(info.param); });

TEST(Recipes, TopK003MatchesTheIssueDescription) {
  auto r = load_recipe(default_registry_path(), "ft_filepicker_topk_003");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request_kinds, std::vector<RequestKind>{RequestKind::key});
  EXPECT_TRUE(r->with_file_context);
  EXPECT_EQ(r->top_k, 2);
  EXPECT_TRUE(r->stop_dashes);
  EXPECT_TRUE(r->blobbify_history);
}

TEST(Recipes, ExplicitFlagsOverrideTheRecipe) {
  CollectFlags f;
  f.teacher = "t";
  f.recipe = "ft_filepicker_008";  // Key, with context, 2 epochs
  f.kinds = "Key,Non-Obvious";
  f.top_k = 3;
  f.epochs = 5;
  auto o = resolve_collect_options(f);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->recipe.request_kinds.size(), 2u);
  EXPECT_EQ(o->recipe.top_k, 3);
  EXPECT_TRUE(o->recipe.with_file_context);
  EXPECT_EQ(o->epochs, 5);
  EXPECT_EQ(o->recipe_id, "ft_filepicker_008");
}

}  // namespace
}  // namespace pt
