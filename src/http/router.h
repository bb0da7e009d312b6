// Router: maps (method, path) to a registered route. Patterns are literal segments and `{name}`
// placeholders that match exactly one non-empty segment, e.g. "/v1/incidents/{id}/acknowledge".
//
// Matching is a linear scan without allocation on the found path (a few dozen routes; the hot
// ingest route is registered first). A path that matches no pattern is kNotFound; a path that
// matches only under other methods is kMethodNotAllowed with the Allow header value.
//
// Thread safety: Add() before serving; Match() is const and safe from any thread afterwards.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/types.h"

namespace loom::http {

// The placeholder values of one match, in pattern order.
class PathParams {
 public:
  static constexpr size_t kMax = 4;
  // The value of `{name}`, or "" when the pattern has no such placeholder.
  std::string_view Get(std::string_view name) const;
  size_t size() const { return size_; }
  // REQUIRES: size() < kMax
  void Add(std::string_view name, std::string_view value);
  void Clear() { size_ = 0; }

 private:
  std::array<std::string_view, kMax> names_{};
  std::array<std::string_view, kMax> values_{};
  size_t size_ = 0;
};

struct RouteMatch {
  enum class Status { kFound, kNotFound, kMethodNotAllowed };
  Status status = Status::kNotFound;
  int route_id = -1;  // the id given to Add(), when kFound
  PathParams params;  // views into the router's patterns and the matched path
  std::string allow;  // "GET, POST" when kMethodNotAllowed
};

class Router {
 public:
  // Registers `pattern` under `method`; `route_id` is returned by Match. Patterns start with '/'.
  void Add(Method method, std::string_view pattern, int route_id);

  RouteMatch Match(Method method, std::string_view path) const;

 private:
  struct Segment {
    std::string text;  // literal text, or the placeholder's name
    bool placeholder = false;
  };
  struct Route {
    Method method;
    std::vector<Segment> segments;
    int route_id;
  };
  // True when `path` fits `route`'s pattern; fills `params` (cleared first).
  static bool Fits(const Route& route, std::string_view path, PathParams* params);

  std::vector<Route> routes_;
};

}  // namespace loom::http
