// Export and import of a whole store, to move an installation from one back end to another
// (`loom-oncall export` / `import`: SQLite to PostgreSQL, or back). Rows are copied as they are —
// ids, incident numbers, timestamps and the timeline's hashes — so the hash chain still verifies
// and pending deadlines and notifications carry on where they were.
//
// The file is JSON lines: a header, then for each table a line naming it and its columns, one
// line per row (the values in column order), and a line closing the table with its row count;
// a last line closes the file, so a truncated file is refused rather than half imported.
//   {"format":"loom-oncall-export","version":1,"schema_version":8,"exported_at":"2026-11-28T..."}
//   {"table":"services","columns":["id","name","created_at","settings_json"]}
//   ["loom","LOOM node",1764290000000000,"{}"]
//   {"end":"services","rows":1}
//   ...
//   {"end_of_export":true,"tables":21}
// Values are null, integers and strings; a blob is {"base64url":"..."}, and text that is not
// valid UTF-8 (which JSON cannot hold) {"text_base64url":"..."}.
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "store/sql/db.h"

namespace loom::sql {

struct TableCount {
  std::string table;
  int64_t rows = 0;
};

// The tables copied (every table but schema_migrations), parents before the tables whose
// foreign keys name them.
const std::vector<std::string_view>& TransferTables();

// Writes every table of `db` (at the current schema) to `out`, read in one transaction so the
// file is one consistent snapshot even beside a running server.
Result<std::vector<TableCount>> ExportTables(Connection& db, std::ostream& out, TimePoint now);

// Reads what ExportTables wrote into `db` (at the current schema, every copied table empty), in
// one transaction: all or nothing. Afterwards each table holds the rows the file declares (the
// counts are checked in the database), and on PostgreSQL each identity column continues after
// its largest value. kInvalid for a file that is not a complete export of this schema version
// (the message names the line); kConflict when the database already holds data.
Result<std::vector<TableCount>> ImportTables(Connection& db, std::istream& in);

}  // namespace loom::sql

namespace loom {

// Where a store's database is: the SQLite file `sqlite_path`, or the PostgreSQL database at
// `postgres_url` when that is not empty.
struct StoreDatabase {
  std::string sqlite_path;
  std::string postgres_url;  // never logged
};

// A connection to `where`, migrated to the current schema (a missing SQLite file is created).
Result<std::unique_ptr<sql::Connection>> OpenStoreDatabase(const StoreDatabase& where,
                                                           TimePoint now);

}  // namespace loom
