// Conformance backend: the in-memory store of store/memory (the one tests use in place of a
// database), held to the same contract as sqlite/postgres/bigquery. Re-opening shares the rows.
#include "store/conformance/backend.h"
#include "store/memory/memory_store.h"

namespace pt_test {
namespace {

class MemoryFixture final : public StoreFixture {
 public:
  pt::Result<std::unique_ptr<pt::Store>> open() override {
    return std::unique_ptr<pt::Store>(std::make_unique<pt::MemoryStore>(tables_));
  }

 private:
  std::shared_ptr<pt::MemoryStore::Tables> tables_ = pt::MemoryStore().tables();
};

const RegisterBackend memory_backend({"memory", [] {
                                        return BackendSetup{std::make_unique<MemoryFixture>(), "", false};
                                      }});

}  // namespace
}  // namespace pt_test
