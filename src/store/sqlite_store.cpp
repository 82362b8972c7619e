// SQLite backend of the Store interface (placeholder until implemented).
#include "store/store.h"

namespace pt {

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) {
  return runtime_error("sqlite store not implemented yet");
}

}  // namespace pt
