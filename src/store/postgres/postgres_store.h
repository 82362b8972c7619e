// The PostgreSQL backend's factory (`postgres://USER@HOST:PORT/DB`); the class itself is private
// to postgres_store.cpp. open_store() dispatches here.
#pragma once
#include <memory>
#include <string>

#include "store/store.h"

namespace pt {

// `prod` selects database DB_prod (--env prod).
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& uri, bool prod);

}  // namespace pt
