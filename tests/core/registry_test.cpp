// Tests for the finetune registry: the shipped eight entries load, `check` finds exactly the
// known inconsistencies, costs recompute, diff reports changes, and bad files give clear errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "core/registry.h"
#include "pipeline/registry/registry_file.h"
#include "source_dir.h"

namespace pt {
namespace {

Registry shipped() {
  auto reg = load_registry(std::string(PICKTUNE_SOURCE_DIR) + "/data/finetunes.json");
  EXPECT_TRUE(reg.ok()) << (reg.ok() ? "" : reg.error().message);
  return reg.ok() ? std::move(reg).value() : Registry{};
}

TEST(Registry, ShipsTheEightFinetunes) {
  Registry reg = shipped();
  std::vector<std::string> ids;
  for (const auto& f : reg.finetunes) ids.push_back(f.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"ft_filepicker_003", "ft_filepicker_005", "ft_filepicker_007",
                                           "ft_filepicker_topk_001", "ft_filepicker_008", "ft_filepicker_topk_002",
                                           "ft_filepicker_010", "ft_filepicker_topk_003"}));
  const Finetune* t3 = reg.find("ft_filepicker_topk_003");
  ASSERT_NE(t3, nullptr);
  EXPECT_EQ(t3->recipe.request_kinds, std::vector<pt::RequestKind>{pt::RequestKind::key});
  EXPECT_TRUE(t3->recipe.with_file_context);
  EXPECT_EQ(t3->recipe.top_k, 2);
  EXPECT_TRUE(t3->recipe.stop_dashes);
  EXPECT_TRUE(t3->recipe.blobbify_history);
  EXPECT_EQ(t3->tokens, 109000000);
  EXPECT_EQ(reg.find("ft_filepicker_005")->endpoint_id, "8493203957034778624");
}

TEST(Registry, CheckFindsExactlyTheKnownInconsistencies) {
  Registry reg = shipped();
  std::set<std::pair<std::string, std::string>> got;
  for (const auto& f : check_registry(reg)) got.insert({f.id, f.kind});
  std::set<std::pair<std::string, std::string>> want = {
      {"ft_filepicker_003", "unknown-tokens"},         {"ft_filepicker_003", "unknown-epochs"},
      {"ft_filepicker_topk_001", "cost-inputs"},      // quotes 1 epoch x 44.7M; entry has 2 x 60.5M
      {"ft_filepicker_topk_001", "cost-arithmetic"},  // ~$300 vs its own formula's $134.10
      {"ft_filepicker_008", "validation-is-training"}, {"ft_filepicker_topk_002", "unknown-tokens"},
      {"ft_filepicker_topk_002", "cost-inputs"},      // quotes 1 epoch x 44.7M; entry has 2 epochs, tokens unknown
      {"ft_filepicker_topk_002", "notes-vs-recipe"},  // "fewer epochs" than topk_001, but both 2
  };
  EXPECT_EQ(got, want);
}

TEST(Registry, CostLineParsing) {
  CostLine a = parse_cost_line("~$400 for finetuning ($3.00/1M tokens * 2 epochs * 74.6M tokens)");
  EXPECT_EQ(a.stated_usd, 400);
  EXPECT_TRUE(a.approximate);
  EXPECT_TRUE(a.finetuning);
  EXPECT_EQ(a.price_per_mtok, 3.0);
  EXPECT_EQ(a.epochs, 2);
  EXPECT_DOUBLE_EQ(*a.mtokens, 74.6);
  CostLine b = parse_cost_line("about $3K for generating relabel inputs (at $15.00/1M input Claude tokens)");
  EXPECT_EQ(b.stated_usd, 3000);
  EXPECT_FALSE(b.finetuning);
  CostLine c = parse_cost_line("TBD for finetuning ($3.00/1M tokens * 1 epoch * 44.7M tokens)");
  EXPECT_FALSE(c.stated_usd.has_value());
  EXPECT_EQ(c.epochs, 1);
}

TEST(Registry, TuningCostIsPriceTimesEpochsTimesTokens) {
  Registry reg = shipped();
  EXPECT_NEAR(*tuning_cost_usd(*reg.find("ft_filepicker_008"), 3.0), 648.0, 1e-9);
  EXPECT_NEAR(*tuning_cost_usd(*reg.find("ft_filepicker_010"), 3.0), 981.0, 1e-9);
  EXPECT_FALSE(tuning_cost_usd(*reg.find("ft_filepicker_003"), 3.0).has_value());
}

TEST(Registry, DiffDescribesOneFinetuneRelativeToAnother) {
  Registry reg = shipped();
  auto changes = diff_finetunes(*reg.find("ft_filepicker_008"), *reg.find("ft_filepicker_010"));
  std::set<std::string> fields;
  for (const auto& c : changes) fields.insert(c.field);
  EXPECT_TRUE(fields.count("recipe.blobbify_history"));
  EXPECT_TRUE(fields.count("epochs"));
  EXPECT_TRUE(fields.count("train_file"));
  EXPECT_FALSE(fields.count("teacher"));
  EXPECT_FALSE(fields.count("recipe.top_k"));
}

TEST(Registry, RoundTripsThroughJson) {
  Registry reg = shipped();
  auto again = parse_registry(registry_to_json(reg), "roundtrip");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(registry_to_json(*again), registry_to_json(reg));
}

TEST(Registry, BadFilesGiveFieldLevelErrors) {
  auto bad = [](const std::string& text) {
    auto r = parse_registry(text, "reg.json");
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.error().message;
  };
  EXPECT_EQ(bad("{"), "reg.json: invalid JSON");
  EXPECT_EQ(bad(R"({"finetunes": 3})"), "reg.json: finetunes: expected an array");
  std::string entry =
      R"({"id":"x","date":"2025-01-01","base_model":"b","teacher":"t","recipe":{"request_kinds":["Key"]},"epochs":"two"})";
  EXPECT_EQ(bad(R"({"finetunes":[)" + entry + "]}"), "reg.json: finetunes[0] (x).epochs: expected an integer or null");
  std::string kinds =
      R"({"id":"x","date":"2025-01-01","base_model":"b","teacher":"t","recipe":{"request_kinds":["Other"]}})";
  EXPECT_EQ(bad(R"({"finetunes":[)" + kinds + "]}"),
            "reg.json: finetunes[0] (x).recipe.request_kinds[0]: unknown request kind \"Other\"");
  std::string extra =
      R"({"id":"x","date":"2025-01-01","base_model":"b","teacher":"t","recipe":{"request_kinds":["Key"]},"epoch":2})";
  EXPECT_EQ(bad(R"({"finetunes":[)" + extra + "]}"), "reg.json: finetunes[0] (x).epoch: unknown field");
  std::string ok_entry =
      R"({"id":"x","date":"2025-01-01","base_model":"b","teacher":"t","recipe":{"request_kinds":["Key"]}})";
  EXPECT_NE(bad(R"({"finetunes":[)" + ok_entry + "," + ok_entry + "]}").find("duplicate id"), std::string::npos);
  EXPECT_FALSE(load_registry("/nonexistent/finetunes.json").ok());
}

}  // namespace
}  // namespace pt
