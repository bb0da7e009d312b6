#include "store/sql/service_cache.h"

#include <mutex>

#include "store/sql/row_codec.h"

namespace loom::sql {

Status ServiceCache::Load(Connection& db) {
  std::map<std::string, Service> services;
  std::unordered_map<std::string, IntegrationKey> keys;
  {
    Result<Statement*> stmt =
        db.Prepare("SELECT id, name, created_at, settings_json FROM services");
    if (!stmt.ok()) return std::move(stmt).error();
    Query q(*stmt);
    while (true) {
      Result<bool> row = q.Step();
      if (!row.ok()) return std::move(row).error();
      if (!*row) break;
      Service s;
      s.id = q.Text(0);
      s.name = q.Text(1);
      s.created_at = q.Time(2);
      Result<ServiceSettings> settings = DecodeSettings(q.TextView(3));
      if (!settings.ok()) {
        return Error::Internal("service " + s.id + ": " + settings.error().message);
      }
      s.settings = std::move(*settings);
      services.emplace(s.id, std::move(s));
    }
  }
  {
    Result<Statement*> stmt =
        db.Prepare("SELECT id, service_id, key_hash, prefix, created_at FROM integration_keys");
    if (!stmt.ok()) return std::move(stmt).error();
    Query q(*stmt);
    while (true) {
      Result<bool> row = q.Step();
      if (!row.ok()) return std::move(row).error();
      if (!*row) break;
      IntegrationKey k;
      k.id = q.Int(0);
      k.service_id = q.Text(1);
      k.key_hash = q.Text(2);
      k.prefix = q.Text(3);
      k.created_at = q.Time(4);
      keys.emplace(k.key_hash, std::move(k));
    }
  }
  std::unique_lock lock(mu_);
  services_ = std::move(services);
  keys_ = std::move(keys);
  return OkStatus();
}

std::optional<Service> ServiceCache::GetService(const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = services_.find(id);
  if (it == services_.end()) return std::nullopt;
  return it->second;
}

std::vector<Service> ServiceCache::ListServices() const {
  std::shared_lock lock(mu_);
  std::vector<Service> out;
  out.reserve(services_.size());
  for (const auto& [id, s] : services_) out.push_back(s);
  return out;
}

std::optional<IntegrationKey> ServiceCache::FindKey(const std::string& key_hash) const {
  std::shared_lock lock(mu_);
  auto it = keys_.find(key_hash);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

bool ServiceCache::AutoResolve(const std::string& service_id) const {
  std::shared_lock lock(mu_);
  auto it = services_.find(service_id);
  return it != services_.end() && it->second.settings.auto_resolve;
}

Duration ServiceCache::GroupingWindow(const std::string& service_id) const {
  std::shared_lock lock(mu_);
  auto it = services_.find(service_id);
  if (it == services_.end() || !it->second.settings.grouping.enabled()) return Duration::zero();
  return it->second.settings.grouping.window;
}

void ServiceCache::PutService(const Service& service) {
  std::unique_lock lock(mu_);
  services_[service.id] = service;
}

void ServiceCache::PutKey(const IntegrationKey& key) {
  std::unique_lock lock(mu_);
  keys_[key.key_hash] = key;
}

}  // namespace loom::sql
