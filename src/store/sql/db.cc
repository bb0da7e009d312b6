#include "store/sql/db.h"

namespace loom::sql {
namespace {

Status StepToEnd(Statement& stmt) {
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return OkStatus();
  }
}

}  // namespace

Error DatabaseError(ErrorCode code, std::string_view what, std::string_view message) {
  std::string text(kDatabaseErrorPrefix);
  text += what;
  text += ": ";
  text += message;
  return {code, std::move(text), {}};
}

Status Statement::Send() { return StepToEnd(*this); }

Status Query::Run() { return StepToEnd(*stmt_); }

Result<int64_t> Query::RunReturningInt() {
  Result<bool> row = Step();
  if (!row.ok()) return std::move(row).error();
  if (!*row) return Error::Internal("the statement returned no row");
  int64_t value = Int(0);
  LOOM_RETURN_IF_ERROR(Run());
  return value;
}

}  // namespace loom::sql
