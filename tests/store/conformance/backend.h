// The store backends the conformance suite runs against. Each backend registers a factory (one
// static `RegisterBackend` in its own .cpp in this folder) that makes a fresh, empty store for
// one test; the suite in store_conformance_test.cpp is instantiated once per registered name.
// Adding a backend (e.g. BigQuery against tests/support/fakes) = one new .cpp here, nothing else.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace pt_test {

// One test's store: open() may be called again to re-open the same data.
class StoreFixture {
 public:
  virtual ~StoreFixture() = default;
  virtual pt::Result<std::unique_ptr<pt::Store>> open() = 0;
  // A secret (password, token) that must never appear in describe() or messages; "" if none.
  virtual std::string secret() const { return ""; }
};

struct BackendSetup {
  std::unique_ptr<StoreFixture> fixture;  // null when the backend is unavailable
  std::string unavailable;                // why (shown when skipping or failing)
  bool required = false;                  // unavailable is a failure (e.g. CI=true), not a skip
};

struct Backend {
  std::string name;  // test-name suffix: letters, digits, underscore
  std::function<BackendSetup()> setup;
};

inline std::vector<Backend>& backends() {
  static std::vector<Backend> list;
  return list;
}

struct RegisterBackend {
  explicit RegisterBackend(Backend b) { backends().push_back(std::move(b)); }
};

}  // namespace pt_test
