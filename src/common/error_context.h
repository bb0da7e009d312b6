// Passing errors up: return early on an error, and say where it happened without losing what the
// error carries.
//
// Thread safety: value types; no shared state.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"

// Returns the error of a Status/Result expression from the enclosing function (which returns a
// Status or a Result of any type); evaluates `expr` once.
#define LOOM_RETURN_IF_ERROR(expr)                                  \
  do {                                                              \
    auto loom_status_ = (expr);                                     \
    if (!loom_status_.ok()) return std::move(loom_status_).error(); \
  } while (0)

namespace loom {

// `error` with "<context>: " in front of its message; its code and its field errors are kept, so
// an HTTP answer still points at the fields and the exit code is the same.
//
// The store marks the database's own errors by a message prefix (store/database_error.h), which
// the context then hides: add context where the error goes to an operator (the CLI, the log), not
// to an error an HTTP handler turns into a client's answer.
inline Error WithContext(std::string_view context, Error error) {
  error.message = std::string(context) + ": " + error.message;
  return error;
}

}  // namespace loom
