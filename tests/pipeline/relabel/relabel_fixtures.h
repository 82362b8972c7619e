// Test fixtures for the relabel engine: a temporary SQLite store filled with the traces of
// trace_fixtures.h, plus small helpers to read relabels back.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "pipeline/relabel/trace_fixtures.h"
#include "store/store.h"

namespace pt::testing {

// A fresh store file in a temp dir, removed with the fixture.
class TempStore {
 public:
  TempStore() {
    dir_ = std::filesystem::temp_directory_path() / fmt::format("pt-relabel-{}-{}", getpid(), counter()++);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "store.db").string();
  }
  ~TempStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const std::string& path() const { return path_; }
  std::string uri() const { return "sqlite:" + path_; }
  std::filesystem::path dir() const { return dir_; }
  Store& store() {
    if (!store_) {
      auto s = open_store(StoreOptions{uri(), "dev"});
      EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
      store_ = std::move(s).value();
      auto init = store_->init();
      EXPECT_TRUE(init.ok()) << (init.ok() ? "" : init.error().message);
    }
    return *store_;
  }
  void close() { store_.reset(); }
  // n traces; kinds alternate Key / Non-Obvious when both_kinds.
  void add_traces(int n, bool both_kinds = false, int first = 0) {
    std::vector<Row> rows;
    for (int i = first; i < first + n; ++i)
      rows.push_back(picker_trace(i, both_kinds && i % 2 ? "Non-Obvious" : "Key"));
    auto r = store().upsert(Table::traces, rows);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  std::vector<Row> relabels(const std::string& model = "") {
    std::vector<Row> out;
    RowFilter f;
    if (!model.empty()) f.model = model;
    auto r = store().scan(Table::relabels, f, [&](Row&& row) {
      out.push_back(std::move(row));
      return true;
    });
    EXPECT_TRUE(r.ok());
    return out;
  }

 private:
  static int& counter() {
    static int c = 0;
    return c;
  }
  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

inline std::multiset<std::string> relabel_trace_ids(const std::vector<Row>& rows) {
  std::multiset<std::string> ids;
  for (const auto& r : rows) ids.insert(nlohmann::json::parse(r.payload).value("trace_id", ""));
  return ids;
}

}  // namespace pt::testing
