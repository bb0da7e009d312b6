// Reading rows with the SQL layer's Query (db.h): every row of a query (ReadRows) or at most one
// (ReadOne), each decoded by a function of the caller's; the same code on SQLite and PostgreSQL.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/sql/db.h"

namespace loom::sql {

// Binds `key` to `q`: ?1 = `key`, unless it is std::nullopt (nothing to bind); `key(q)` binds the
// parameters when it is a function.
template <typename Key>
void BindKey(Query& q, const Key& key) {
  if constexpr (std::is_invocable_v<const Key&, Query&>) {
    key(q);
  } else if constexpr (!std::is_same_v<Key, std::nullopt_t>) {
    q.Bind(1, key);
  }
}

// Decodes the current row of `q` into `*item` with `read(q, item)`, which answers void or a
// Status (its error stops the read).
template <typename T, typename ReadFn>
Status DecodeRow(const Query& q, T* item, ReadFn& read) {
  if constexpr (std::is_same_v<std::invoke_result_t<ReadFn&, const Query&, T*>, Status>) {
    return read(q, item);
  } else {
    read(q, item);
    return OkStatus();
  }
}

// Runs `sql` (with ?1 bound to `key` unless it is std::nullopt; `key(q)` binds the parameters
// when it is a function) and decodes every row with `read(q, &item)`; when `read` answers a
// Status, the first row it fails stops the read with its error.
template <typename T, typename Key, typename ReadFn>
Result<std::vector<T>> ReadRows(Connection& conn, const std::string& sql, const Key& key,
                                ReadFn read) {
  Result<Statement*> stmt = conn.Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  BindKey(q, key);
  std::vector<T> out;
  while (true) {
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return out;
    Status s = DecodeRow(q, &out.emplace_back(), read);
    if (!s.ok()) return std::move(s).error();
  }
}

// Steps `q` (its parameters bound) once: std::nullopt when there is no row, else the row decoded
// by `read(q, &item)` (as in ReadRows).
template <typename T, typename ReadFn>
Result<std::optional<T>> ReadOne(Query& q, ReadFn read) {
  Result<bool> row = q.Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return std::optional<T>();
  T item{};
  Status s = DecodeRow(q, &item, read);
  if (!s.ok()) return std::move(s).error();
  return std::optional<T>(std::move(item));
}

// Prepares `sql` on `conn`, binds `key` as ReadRows does, and reads its first row, if any.
template <typename T, typename Key, typename ReadFn>
Result<std::optional<T>> ReadOne(Connection& conn, const std::string& sql, const Key& key,
                                 ReadFn read) {
  Result<Statement*> stmt = conn.Prepare(sql);
  if (!stmt.ok()) return std::move(stmt).error();
  Query q(*stmt);
  BindKey(q, key);
  return ReadOne<T>(q, std::move(read));
}

}  // namespace loom::sql
