// SqlWriter, the configuration's writes: services with their integration keys, API tokens and
// change events.
#include "store/sql/sql_writer.h"
#include "store/sql/sql_writer_internal.h"

namespace loom::sql {

Result<ServiceWrite> SqlWriter::ApplyCreateService(const Service& service,
                                                   const std::string& key_hash) {
  if (!IsValidServiceId(service.id)) return Error::Invalid("invalid service id: " + service.id);
  if (key_hash.empty()) return Error::Invalid("the integration key hash must not be empty");
  const TimePoint now = clock_.Now();
  ServiceWrite out;
  out.service = service;
  out.service.created_at = now;
  if (out.service.name.empty()) out.service.name = service.id;
  {
    Query q(st_->insert_service);
    q.Bind(1, out.service.id);
    q.Bind(2, out.service.name);
    q.Bind(3, now);
    q.Bind(4, EncodeSettings(out.service.settings));
    Status s = q.Run();
    if (!s.ok()) {
      if (s.error().code == ErrorCode::kConflict) {
        return Error::Conflict("service " + service.id + " already exists");
      }
      return std::move(s).error();
    }
  }
  IntegrationKey key;
  key.service_id = service.id;
  key.key_hash = key_hash;
  key.created_at = now;
  Query q(st_->insert_key);
  q.Bind(1, key.service_id);
  q.Bind(2, key.key_hash);
  q.Bind(3, key.prefix);
  q.Bind(4, now);
  Result<int64_t> id = q.RunReturningInt();
  if (!id.ok()) {
    if (id.error().code == ErrorCode::kConflict) {
      return Error::Conflict("the integration key is already in use");
    }
    return std::move(id).error();
  }
  key.id = *id;
  out.added_keys.push_back(std::move(key));
  return out;
}

Result<ServiceWrite> SqlWriter::ApplyUpsertService(const Service& service,
                                                   const std::vector<std::string>& key_hashes) {
  if (!IsValidServiceId(service.id)) return Error::Invalid("invalid service id: " + service.id);
  const TimePoint now = clock_.Now();
  ServiceWrite out;
  out.service = service;
  if (out.service.name.empty()) out.service.name = service.id;
  const std::string settings = EncodeSettings(service.settings);
  bool updated = false;
  {
    Query q(st_->update_service);
    q.Bind(1, service.id);
    q.Bind(2, out.service.name);
    q.Bind(3, settings);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (*row) {
      updated = true;
      out.service.created_at = q.Time(0);
      LOOM_RETURN_IF_ERROR(q.Run());  // finish the statement
    }
  }
  if (!updated) {
    out.service.created_at = now;
    Query q(st_->insert_service);
    q.Bind(1, service.id);
    q.Bind(2, out.service.name);
    q.Bind(3, now);
    q.Bind(4, settings);
    LOOM_RETURN_IF_ERROR(q.Run());
  }
  for (const std::string& hash : key_hashes) {
    if (hash.empty()) return Error::Invalid("an integration key hash is empty");
    {
      Query q(st_->find_key);
      q.Bind(1, hash);
      Result<bool> row = q.Step();
      if (!row.ok()) return std::move(row).error();
      if (*row) {
        if (q.TextView(1) == service.id) continue;
        return Error::Conflict("an integration key of service " + q.Text(1) +
                               " is configured for service " + service.id);
      }
    }
    IntegrationKey key;
    key.service_id = service.id;
    key.key_hash = hash;
    key.created_at = now;
    Query q(st_->insert_key);
    q.Bind(1, key.service_id);
    q.Bind(2, key.key_hash);
    q.Bind(3, key.prefix);
    q.Bind(4, now);
    Result<int64_t> id = q.RunReturningInt();
    if (!id.ok()) return std::move(id).error();
    key.id = *id;
    out.added_keys.push_back(std::move(key));
  }
  return out;
}

Result<ApiToken> SqlWriter::ApplyCreateToken(const std::string& name, Role role,
                                             const std::string& token_hash) {
  if (name.empty()) return Error::Invalid("the token name must not be empty");
  if (token_hash.empty()) return Error::Invalid("the token hash must not be empty");
  ApiToken token;
  token.name = name;
  token.role = role;
  token.token_hash = token_hash;
  token.created_at = clock_.Now();
  Query q(st_->insert_token);
  q.Bind(1, token.name);
  q.Bind(2, RoleName(role));
  q.Bind(3, token.token_hash);
  q.Bind(4, token.created_at);
  Result<int64_t> id = q.RunReturningInt();
  if (!id.ok()) {
    if (id.error().code == ErrorCode::kConflict) return Error::Conflict("the token already exists");
    return std::move(id).error();
  }
  token.id = *id;
  return token;
}

Result<int64_t> SqlWriter::ApplyChangeEvent(const ChangeEvent& event) {
  if (event.summary.empty()) return Error::Invalid("the change event has no summary");
  {
    Query q(st_->service_exists);
    q.Bind(1, event.service_id);
    Result<bool> row = q.Step();
    if (!row.ok()) return std::move(row).error();
    if (!*row) return Error::NotFound("service " + event.service_id + " not found");
  }
  Query q(st_->insert_change);
  q.Bind(1, event.service_id);
  q.Bind(2, event.summary);
  q.Bind(3, event.source);
  q.Bind(4, event.occurred_at);
  q.Bind(5, ToUnixMicros(event.received_at) != 0 ? event.received_at : clock_.Now());
  q.Bind(6, event.details_json.empty() ? std::string("{}") : event.details_json);
  return q.RunReturningInt();
}

}  // namespace loom::sql
