// Owning handles for SQLite, and reading a results history: shared by the SQLite sink, the SLO
// report and the compare baseline. Private to results/.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "prober/status.h"

namespace odoo_prober::results::internal {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbClose>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

// Column i of the current row as text ("" for NULL).
inline std::string Column(sqlite3_stmt* s, int i) {
  const unsigned char* text = sqlite3_column_text(s, i);
  return text ? reinterpret_cast<const char*>(text) : "";
}

// Opens a results history read-only; the error names the file and where histories come from.
inline prober::Result<Db> OpenHistory(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return prober::Status::InvalidArgument(
        path + ": cannot open the results history: " + (raw ? sqlite3_errmsg(raw) : "no memory") +
        "; it is results.sqlite of the config, written by `run`");
  }
  return db;
}

}  // namespace odoo_prober::results::internal
