#include "store/sql/transfer.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "common/crypto.h"
#include "common/time_format.h"
#include "store/sql/pg_db.h"
#include "store/sql/schema.h"
#include "store/sql/sqlite_db.h"

namespace loom::sql {
namespace {

using nlohmann::json;
// The file's own lines keep their keys in the documented order ("format" first).
using ordered = nlohmann::ordered_json;

constexpr std::string_view kFormat = "loom-oncall-export";
constexpr int kFormatVersion = 1;

struct TableSpec {
  std::string_view name;
  std::string_view order_by;  // the primary key: rows are written in a stable order
};

// Every table of the schema but schema_migrations. TransferTest checks the list against the
// database, so a migration that adds a table cannot leave it out.
constexpr TableSpec kTables[] = {
    {"services", "id"},
    {"integration_keys", "id"},
    {"api_tokens", "id"},
    {"users", "id"},
    {"settings", "name"},
    {"incidents", "number"},
    {"alerts", "id"},
    {"timeline_events", "incident_number, seq"},
    {"deadlines", "id"},
    {"outbox", "id"},
    {"change_events", "id"},
    {"schedule_overrides", "id"},
    {"disabled_destinations", "key"},
    {"used_links", "nonce"},
    {"security_checklist", "incident_number, item_id"},
    {"security_reports", "incident_number"},
    {"evidence_contents", "sha256"},
    {"evidence", "id"},
    {"final_summaries", "incident_number"},
    {"followups", "id"},
    {"reviews", "incident_number"},
    {"heartbeats", "id"},
    // Accounts (schema version 11): reset tokens and people's sessions, by their hashes.
    {"password_resets", "token_hash"},
    {"console_sessions", "id_hash"},
    {"sms_opt_outs", "number"},
    {"push_pages", "channel, ref, incident_number"},
    {"message_actions", "secret_hash"},
    {"maintenance_windows", "id"},
    // Contact methods people added and their notification rules (schema version 18).
    {"contact_methods", "user_id, id"},
    {"notification_rules", "user_id"},
    // Who changed them (schema version 19).
    {"contact_history", "id"},
};

std::string Quoted(std::string_view identifier) { return "\"" + std::string(identifier) + "\""; }

// A text value as JSON: a string when it is valid UTF-8, else its bytes in base64url.
json TextValue(std::string_view text) {
  json value = std::string(text);
  try {
    (void)value.dump();
  } catch (const json::type_error&) {
    return json{{"text_base64url", Base64UrlEncode(text)}};
  }
  return value;
}

Result<json> RowValue(const Statement& row, int column) {
  switch (row.Type(column)) {
    case ValueType::kNull: return json(nullptr);
    case ValueType::kInt: return json(row.Int(column));
    case ValueType::kText: return TextValue(row.TextView(column));
    case ValueType::kBlob: return json{{"base64url", Base64UrlEncode(row.Blob(column))}};
    case ValueType::kOther: break;
  }
  return Error::Internal("column " + row.ColumnName(column) + " holds a value of a type " +
                         "the export does not carry");
}

// One table's rows, in key order.
Result<int64_t> ExportTable(Connection& db, const TableSpec& table, std::ostream& out) {
  Result<Statement*> stmt = db.Prepare("SELECT * FROM " + std::string(table.name) + " ORDER BY " +
                                       std::string(table.order_by));
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  int64_t rows = 0;
  bool header_written = false;
  auto write_header = [&] {
    json columns = json::array();
    for (int c = 0; c < (*stmt)->ColumnCount(); ++c) columns.push_back((*stmt)->ColumnName(c));
    out << ordered{{"table", std::string(table.name)}, {"columns", columns}}.dump() << '\n';
    header_written = true;
  };
  while (true) {
    Result<bool> more = q.Step();
    if (!more.ok()) return std::move(more).error();
    if (!header_written) write_header();
    if (!*more) break;
    json values = json::array();
    for (int c = 0; c < (*stmt)->ColumnCount(); ++c) {
      Result<json> value = RowValue(**stmt, c);
      if (!value.ok()) {
        return Error::Internal("table " + std::string(table.name) + ": " + value.error().message);
      }
      values.push_back(std::move(*value));
    }
    out << values.dump() << '\n';
    ++rows;
  }
  out << ordered{{"end", std::string(table.name)}, {"rows", rows}}.dump() << '\n';
  if (!out) return Error::Unavailable("cannot write the export (disk full?)");
  return rows;
}

// Reads the file line by line, keeping the line number for messages.
class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in) {}

  // The next line as JSON; kInvalid at the end of the file or for a line that is not JSON.
  Result<json> Next() {
    std::string line;
    if (!std::getline(in_, line)) {
      return Error::Invalid("the export ends at line " + std::to_string(number_) +
                            " before its last line: the file is truncated");
    }
    ++number_;
    json value = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return Invalid("is not JSON");
    return value;
  }
  Error Invalid(const std::string& why) const {
    return Error::Invalid("line " + std::to_string(number_) + " of the export " + why);
  }
  bool AtEnd() { return in_.peek() == std::char_traits<char>::eof(); }

 private:
  std::istream& in_;
  int64_t number_ = 0;
};

// The columns `table` has in `db`, from an empty query.
Result<std::vector<std::string>> TableColumns(Connection& db, std::string_view table) {
  Result<Statement*> stmt = db.Prepare("SELECT * FROM " + std::string(table) + " LIMIT 0");
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  std::vector<std::string> columns;
  for (int c = 0; c < (*stmt)->ColumnCount(); ++c) columns.push_back((*stmt)->ColumnName(c));
  return columns;
}

Result<int64_t> CountRows(Connection& db, std::string_view table) {
  Result<Statement*> stmt = db.Prepare("SELECT COUNT(*) FROM " + std::string(table));
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  return *row ? q.Int(0) : 0;
}

// Binds one value of the file; kInvalid for a value the export never writes.
Status BindValue(Query& q, int index, const json& value) {
  if (value.is_null()) {
    q.BindNull(index);
  } else if (value.is_number_integer()) {
    q.Bind(index, value.get<int64_t>());
  } else if (value.is_string()) {
    q.Bind(index, std::string_view(value.get_ref<const std::string&>()));
  } else if (value.is_object() && value.size() == 1 &&
             (value.contains("base64url") || value.contains("text_base64url"))) {
    const bool blob = value.contains("base64url");
    const json& encoded = blob ? value["base64url"] : value["text_base64url"];
    std::optional<std::string> bytes =
        encoded.is_string() ? Base64UrlDecode(encoded.get<std::string>()) : std::nullopt;
    if (!bytes) return Error::Invalid("holds a value that is not base64url");
    if (blob) {
      q.BindBlob(index, *bytes);
    } else {
      q.Bind(index, std::string_view(*bytes));
    }
  } else {
    return Error::Invalid("holds a value of a kind the export never writes");
  }
  return OkStatus();
}

// One table of the file, from the line after its header through its closing line.
Result<int64_t> ImportTable(Connection& db, const std::string& table, const json& columns,
                            LineReader& lines) {
  Result<std::vector<std::string>> known = TableColumns(db, table);
  if (!known.ok()) return std::move(known).error();
  if (!columns.is_array() || columns.size() != known->size()) {
    return lines.Invalid("names other columns than table " + table + " has");
  }
  std::string names;
  std::string params;
  int index = 0;
  for (const json& column : columns) {
    // Only the table's own column names reach the SQL text.
    if (!column.is_string() ||
        std::find(known->begin(), known->end(), column.get<std::string>()) == known->end()) {
      return lines.Invalid("names a column table " + table + " does not have");
    }
    if (index > 0) {
      names += ", ";
      params += ", ";
    }
    names += Quoted(column.get<std::string>());
    params += "?" + std::to_string(++index);
  }
  Result<Statement*> insert =
      db.Prepare("INSERT INTO " + table + " (" + names + ") VALUES (" + params + ")");
  if (!insert.ok()) return std::move(insert).error();

  int64_t rows = 0;
  while (true) {
    Result<json> line = lines.Next();
    if (!line.ok()) return std::move(line).error();
    if (line->is_object()) {
      if (!line->contains("end") || (*line)["end"] != table || !(*line)["rows"].is_number_integer())
        return lines.Invalid("should close table " + table);
      if ((*line)["rows"].get<int64_t>() != rows) {
        return lines.Invalid("says table " + table + " has " + (*line)["rows"].dump() +
                             " rows, but " + std::to_string(rows) + " came before it");
      }
      return rows;
    }
    if (!line->is_array() || line->size() != columns.size()) {
      return lines.Invalid("is not a row of table " + table);
    }
    Query q(*insert);
    for (size_t c = 0; c < line->size(); ++c) {
      Status bound = BindValue(q, static_cast<int>(c) + 1, (*line)[c]);
      if (!bound.ok()) return lines.Invalid(bound.error().message);
    }
    Status inserted = q.Run();
    if (!inserted.ok()) {
      const Error& e = inserted.error();
      return Error{
          e.code, "table " + table + ", row " + std::to_string(rows + 1) + ": " + e.message, {}};
    }
    ++rows;
  }
}

// PostgreSQL: identity columns continue after the largest imported value (explicit values do
// not advance their sequences).
Status AdvanceIdentities(Connection& db, std::string_view table) {
  Result<Statement*> stmt = db.Prepare(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
      "AND table_name = ?1 AND is_identity = 'YES'");
  if (!stmt.ok()) return std::move(stmt).error();
  std::vector<std::string> columns;
  {
    Query q(*stmt);
    q.Bind(1, table);
    while (true) {
      Result<bool> row = q.Step();
      if (!row.ok()) return std::move(row).error();
      if (!*row) break;
      columns.push_back(q.Text(0));
    }
  }
  for (const std::string& column : columns) {
    // setval(..., max, true): the next value is max + 1; an empty table keeps its sequence.
    LOOM_RETURN_IF_ERROR(db.Exec("SELECT setval(pg_get_serial_sequence('" + std::string(table) +
                                 "', '" + column + "'), MAX(" + Quoted(column) + ")) FROM " +
                                 std::string(table) + " HAVING MAX(" + Quoted(column) +
                                 ") IS NOT NULL"));
  }
  return OkStatus();
}

Result<std::vector<TableCount>> ImportInTransaction(Connection& db, std::istream& in) {
  LineReader lines(in);
  Result<json> header = lines.Next();
  if (!header.ok()) return std::move(header).error();
  if (!header->is_object() || (*header)["format"] != std::string(kFormat)) {
    return lines.Invalid("is not the header of a loom-oncall export");
  }
  if ((*header)["version"] != kFormatVersion) {
    return lines.Invalid("has format version " + (*header)["version"].dump() +
                         "; this loom-oncall reads version " + std::to_string(kFormatVersion));
  }
  const auto schema = static_cast<int64_t>(Migrations().size());
  if ((*header)["schema_version"] != schema) {
    return lines.Invalid("was written at schema version " + (*header)["schema_version"].dump() +
                         "; this loom-oncall is at " + std::to_string(schema) +
                         ": export again with this version");
  }
  for (std::string_view table : TransferTables()) {
    Result<int64_t> count = CountRows(db, table);
    if (!count.ok()) return std::move(count).error();
    if (*count > 0) {
      return Error::Conflict("the database already holds data (table " + std::string(table) +
                             " has " + std::to_string(*count) +
                             " rows): import into a new, empty database");
    }
  }

  std::map<std::string, int64_t> imported;
  while (true) {
    Result<json> line = lines.Next();
    if (!line.ok()) return std::move(line).error();
    if (line->is_object() && (*line)["end_of_export"] == true) break;
    if (!line->is_object() || !(*line)["table"].is_string()) {
      return lines.Invalid("should name a table or end the export");
    }
    const std::string table = (*line)["table"].get<std::string>();
    const auto& tables = TransferTables();
    if (std::find(tables.begin(), tables.end(), table) == tables.end()) {
      return lines.Invalid("names table '" + table + "', which is not exported");
    }
    if (imported.count(table) != 0) return lines.Invalid("names table " + table + " again");
    Result<int64_t> rows = ImportTable(db, table, (*line)["columns"], lines);
    if (!rows.ok()) return std::move(rows).error();
    imported[table] = *rows;
  }
  if (!lines.AtEnd()) return lines.Invalid("is followed by more lines");

  std::vector<TableCount> counts;
  for (std::string_view table : TransferTables()) {
    auto it = imported.find(std::string(table));
    if (it == imported.end()) {
      return Error::Invalid("the export has no table " + std::string(table));
    }
    Result<int64_t> count = CountRows(db, table);
    if (!count.ok()) return std::move(count).error();
    if (*count != it->second) {
      return Error::Internal("table " + std::string(table) + " holds " + std::to_string(*count) +
                             " rows after the import, the export " + std::to_string(it->second));
    }
    if (db.dialect() == Dialect::kPostgres) LOOM_RETURN_IF_ERROR(AdvanceIdentities(db, table));
    counts.push_back({std::string(table), *count});
  }
  return counts;
}

}  // namespace

const std::vector<std::string_view>& TransferTables() {
  static const std::vector<std::string_view> kNames = [] {
    std::vector<std::string_view> names;
    for (const TableSpec& table : kTables) names.push_back(table.name);
    return names;
  }();
  return kNames;
}

Result<std::vector<TableCount>> ExportTables(Connection& db, std::ostream& out, TimePoint now) {
  // One snapshot for every table.
  LOOM_RETURN_IF_ERROR(db.Exec(db.dialect() == Dialect::kSqlite
                                   ? "BEGIN"
                                   : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  out << ordered{{"format", std::string(kFormat)},
                 {"version", kFormatVersion},
                 {"schema_version", Migrations().size()},
                 {"exported_at", FormatRfc3339(now)}}
             .dump()
      << '\n';
  std::vector<TableCount> counts;
  for (const TableSpec& table : kTables) {
    Result<int64_t> rows = ExportTable(db, table, out);
    if (!rows.ok()) {
      (void)db.Exec("ROLLBACK");
      return std::move(rows).error();
    }
    counts.push_back({std::string(table.name), *rows});
  }
  (void)db.Exec("COMMIT");
  out << ordered{{"end_of_export", true}, {"tables", counts.size()}}.dump() << '\n';
  out.flush();
  if (!out) return Error::Unavailable("cannot write the export (disk full?)");
  return counts;
}

Result<std::vector<TableCount>> ImportTables(Connection& db, std::istream& in) {
  LOOM_RETURN_IF_ERROR(db.Exec(db.dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN"));
  Result<std::vector<TableCount>> counts = ImportInTransaction(db, in);
  if (!counts.ok()) {
    (void)db.Exec("ROLLBACK");
    return counts;
  }
  LOOM_RETURN_IF_ERROR(db.Exec("COMMIT"));
  return counts;
}

}  // namespace loom::sql

namespace loom {

Result<std::unique_ptr<sql::Connection>> OpenStoreDatabase(const StoreDatabase& where,
                                                           TimePoint now) {
  std::unique_ptr<sql::Connection> db;
  if (!where.postgres_url.empty()) {
    // No statement timeout: one import statement may be a large table's count.
    Result<std::unique_ptr<sql::PgConnection>> pg = sql::PgConnection::Open(where.postgres_url, 0);
    if (!pg.ok()) return std::move(pg).error();
    db = std::move(*pg);
  } else {
    Result<std::unique_ptr<sql::SqliteConnection>> lite =
        sql::SqliteConnection::Open(where.sqlite_path, /*read_only=*/false);
    if (!lite.ok()) return std::move(lite).error();
    LOOM_RETURN_IF_ERROR((*lite)->Exec(
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000"));
    db = std::move(*lite);
  }
  LOOM_RETURN_IF_ERROR(sql::Migrate(*db, now));
  return db;
}

}  // namespace loom
