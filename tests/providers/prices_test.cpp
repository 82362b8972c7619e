// Tests for providers/prices: the shipped table loads and covers the teachers and bases the
// registry uses, suffix matching, unknown models, local models, batch and cache arithmetic.
#include <gtest/gtest.h>

#include "providers/prices.h"

namespace pt {
namespace {

TEST(Prices, ShippedTableCoversRegistryModels) {
  auto table = PriceTable::shared();
  ASSERT_TRUE(table.ok()) << table.error().message;
  for (const char* name : {"claude-3-5-sonnet-20241022", "claude-3-7-sonnet-20250219", "claude-opus-4-20250514",
                           "claude-sonnet-4-20250514", "gpt-4o", "gpt-4.1", "o3", "gemini-2.0-flash-001",
                           "gemini-2.5-flash", "gemini-2.5-pro"}) {
    auto p = (*table)->find(name);
    ASSERT_TRUE(p.ok()) << name << ": " << p.error().message;
    EXPECT_GT(p->input, 0) << name;
    EXPECT_GT(p->output, p->input) << name;
    EXPECT_LE(p->cached_input, p->input) << name;
    EXPECT_NEAR(p->batch_input, p->input / 2, 1e-9) << name;
  }
  EXPECT_EQ((*table)->find("gemini-2.0-flash-001")->training, 3.0);
}

TEST(Prices, SuffixMatchingPicksTheLongestBaseAndRejectsOtherVariants) {
  auto t = PriceTable::parse(
      R"({"models":{"gpt-4o":{"input":2.5,"output":10},"gpt-4o-mini":{"input":0.15,"output":0.6}}})", "t.json");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->find("gpt-4o-2024-08-06")->key, "gpt-4o");
  EXPECT_EQ(t->find("gpt-4o-mini-2024-07-18")->key, "gpt-4o-mini");
  EXPECT_EQ(t->find("gpt-4o-latest")->key, "gpt-4o");
  auto other = t->find("gpt-4o-audio-preview");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().kind, ErrorKind::usage);
  EXPECT_EQ(other.error().message,
            "no price for model 'gpt-4o-audio-preview' in t.json; add it there, or pass --price-as KEY (e.g. "
            "--price-as free)");
  // Defaults: cached and batch fall back to the standard price.
  EXPECT_EQ(t->find("gpt-4o")->cached_input, 2.5);
  EXPECT_EQ(t->find("gpt-4o")->batch_output, 10);
}

TEST(Prices, BadTablesNameTheField) {
  auto a = PriceTable::parse(R"({"models":{"m":{"input":"x","output":1}}})", "p.json");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message, "p.json: models.m.input: expected a non-negative number");
  auto b = PriceTable::parse(R"({"models":{"m":{"input":1}}})", "p.json");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message, "p.json: models.m.output: missing");
  EXPECT_FALSE(PriceTable::parse("[", "p.json").ok());
  auto missing = PriceTable::load("/nonexistent/prices.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "/nonexistent/prices.json: cannot read the price table");
}

TEST(Prices, LocalModelsAreFreeAndPriceAsOverrides) {
  ModelOptions o;
  auto local = price_for_model("local:bm25", o);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(usage_cost_usd(*local, Usage{1000, 1000, 0, 0}, false), 0.0);
  o.price_as = "gpt-4o";
  auto as = price_for_model("openai:my-finetune", o);
  ASSERT_TRUE(as.ok());
  EXPECT_EQ(as->key, "gpt-4o");
  EXPECT_EQ(price_for_model("vertex:projects/p/locations/l/endpoints/1", ModelOptions{})->key, "vertex-tuned-endpoint");
  EXPECT_EQ(price_for_model("vertex:gemini-2.5-pro", ModelOptions{})->key, "gemini-2.5-pro");
}

TEST(Prices, CostArithmetic) {
  Price p;
  p.input = 15, p.output = 75, p.cached_input = 1.5, p.cache_write = 18.75, p.batch_input = 7.5, p.batch_output = 37.5;
  Usage u{10000, 1000, 6000, 2000};  // 2000 uncached, 6000 cache reads, 2000 cache writes
  double standard = (2000 * 15 + 6000 * 1.5 + 2000 * 18.75 + 1000 * 75) / 1e6;
  EXPECT_NEAR(usage_cost_usd(p, u, false), standard, 1e-12);
  EXPECT_NEAR(usage_cost_usd(p, u, true), standard / 2, 1e-12);
  EXPECT_NEAR(usage_cost_usd(p, Usage{1000000, 0, 0, 0}, true), 7.5, 1e-12);
}

}  // namespace
}  // namespace pt
