#include "http/router.h"

#include <cassert>

namespace loom::http {

const char* MethodName(Method m) {
  switch (m) {
    case Method::kGet: return "GET";
    case Method::kHead: return "HEAD";
    case Method::kPost: return "POST";
    case Method::kPut: return "PUT";
    case Method::kPatch: return "PATCH";
    case Method::kDelete: return "DELETE";
    case Method::kOptions: return "OPTIONS";
    case Method::kOther: return "OTHER";
  }
  return "OTHER";
}

std::string_view PathParams::Get(std::string_view name) const {
  for (size_t i = 0; i < size_; ++i) {
    if (names_[i] == name) return values_[i];
  }
  return {};
}

void PathParams::Add(std::string_view name, std::string_view value) {
  assert(size_ < kMax);
  names_[size_] = name;
  values_[size_] = value;
  ++size_;
}

void Router::Add(Method method, std::string_view pattern, int route_id) {
  assert(!pattern.empty() && pattern.front() == '/');
  Route route{method, {}, route_id};
  size_t placeholders = 0;
  size_t pos = 1;
  while (pos <= pattern.size()) {
    size_t end = pattern.find('/', pos);
    if (end == std::string_view::npos) end = pattern.size();
    std::string_view seg = pattern.substr(pos, end - pos);
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      route.segments.push_back({std::string(seg.substr(1, seg.size() - 2)), true});
      ++placeholders;
    } else {
      route.segments.push_back({std::string(seg), false});
    }
    pos = end + 1;
  }
  assert(placeholders <= PathParams::kMax);
  (void)placeholders;
  routes_.push_back(std::move(route));
}

bool Router::Fits(const Route& route, std::string_view path, PathParams* params) {
  params->Clear();
  if (path.empty() || path.front() != '/') return false;
  size_t pos = 1;
  for (size_t i = 0; i < route.segments.size(); ++i) {
    if (pos > path.size()) return false;  // the path has fewer segments
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(pos, end - pos);
    const Segment& want = route.segments[i];
    if (want.placeholder) {
      if (seg.empty()) return false;
      params->Add(want.text, seg);
    } else if (seg != want.text) {
      return false;
    }
    pos = end + 1;
  }
  return pos == path.size() + 1;  // every path segment consumed
}

RouteMatch Router::Match(Method method, std::string_view path) const {
  RouteMatch m;
  for (const Route& r : routes_) {
    if (r.method == method && Fits(r, path, &m.params)) {
      m.status = RouteMatch::Status::kFound;
      m.route_id = r.route_id;
      return m;
    }
  }
  // Not found under this method: collect the methods the path does exist under.
  PathParams scratch;
  for (const Route& r : routes_) {
    if (Fits(r, path, &scratch)) {
      const char* name = MethodName(r.method);
      if (m.allow.find(name) == std::string::npos) {
        if (!m.allow.empty()) m.allow += ", ";
        m.allow += name;
      }
    }
  }
  m.params.Clear();
  m.status =
      m.allow.empty() ? RouteMatch::Status::kNotFound : RouteMatch::Status::kMethodNotAllowed;
  return m;
}

}  // namespace loom::http
