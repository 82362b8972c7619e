// The SQLite backend's factory (`sqlite:PATH`, the embedded default store); the class itself is
// private to sqlite_store.cpp. open_store() dispatches here.
#pragma once
#include <memory>
#include <string>

#include "store/store.h"

namespace pt {

// Opens (creating the schema when the file is new or empty) the store at `path`.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path);
// `read_only`: never create; open read-only (an immutable snapshot) when the file is not writable.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, bool read_only);

}  // namespace pt
