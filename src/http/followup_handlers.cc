// The final summary (PUT /v1/incidents/{id}/summary), follow-ups (/v1/followups) and the
// post-incident review (/v1/incidents/{id}/review...): parse, validate against the roster,
// call the Store. docs/followups.md is the contract.

#include <optional>

#include "common/time_format.h"
#include "core/followup.h"
#include "core/incident_view.h"
#include "core/review.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "http/problem.h"
#include "http/query.h"

namespace loom::http {
namespace {

Json TimeOrNull(const std::optional<TimePoint>& t) { return t ? Json(FormatRfc3339(*t)) : Json(); }

Json SourceToJson(const Followup& f) {
  if (f.source_kind.empty()) return Json();
  Json source = Json::object();
  source[f.source_kind] = f.source_ref;
  return source;
}

Json FollowupToJson(const Followup& f, TimePoint now) {
  Json j = Json::object();
  j["id"] = f.id();
  j["title"] = f.title;
  j["owner"] = f.owner;
  j["due"] = FormatRfc3339(f.due_at);
  j["status"] = FollowupStatusName(f.status);
  j["overdue"] = f.Overdue(now);
  j["source"] = SourceToJson(f);
  j["service"] = f.service_id.empty() ? Json() : Json(f.service_id);
  j["created_by"] = f.created_by;
  j["created_at"] = FormatRfc3339(f.created_at);
  j["updated_at"] = FormatRfc3339(f.updated_at);
  j["closed_at"] = TimeOrNull(f.closed_at);
  return j;
}

Json FollowupsToJson(const std::vector<Followup>& list, TimePoint now) {
  Json out = Json::array();
  for (const Followup& f : list) out.push_back(FollowupToJson(f, now));
  return out;
}

Json SummaryToJson(const FinalSummary& s) {
  Json items = Json::array();
  for (const SummaryFollowup& f : s.followups) {
    items.push_back({{"title", f.title}, {"owner", f.owner}, {"due", FormatRfc3339(f.due_at)}});
  }
  Json j = Json::object();
  j["incident"] = IncidentId(s.incident_number);
  j["root_cause"] = s.root_cause;
  j["customer_impact"] = s.customer_impact;
  j["remediation"] = s.remediation;
  j["followups"] = std::move(items);
  j["no_followups_reason"] = s.no_followups_reason.empty() ? Json() : Json(s.no_followups_reason);
  j["updated_by"] = s.updated_by;
  j["updated_at"] = FormatRfc3339(s.updated_at);
  return j;
}

// A required non-empty string member; appends a field error otherwise.
std::string RequiredString(const nlohmann::json& obj, const char* key, const std::string& pointer,
                           std::vector<FieldError>& errors) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string() || it->get<std::string>().empty()) {
    errors.push_back({pointer, "is required (a non-empty string)"});
    return "";
  }
  return it->get<std::string>();
}

Error NoSuchFollowup(std::string_view id) {
  return Error::NotFound("no follow-up " + std::string(id));
}

// Sends `out` as JSON with `status`, or its problem, from a store callback.
template <typename T, typename Render>
Callback<T> Respond(Reply reply, const Request& req, int status, Render render) {
  return [reply = std::move(reply), instance = std::string(req.path), method = req.method, status,
          render = std::move(render)](Result<T> out) {
    if (out.ok()) return reply->Send(JsonResponse(status, render(*out)));
    reply->Send(ProblemFor(out.error(), RequestAt(method, instance)));
  };
}

}  // namespace

bool Api::IsConfiguredUser(const std::string& id) const {
  return !roster_ || roster_->Current()->FindUser(id) != nullptr;
}

// ---- final summary ----

void Api::PutSummary(const Request& req, const PathParams& params, Reply reply) {
  Principal who;
  std::optional<IncidentDetail> detail =
      ReadableIncident(req, params, reply, &who, Action::kRespond);
  if (!detail) return;
  if (Status allowed = CheckPanelWrite(detail->incident, "summary"); !allowed.ok()) {
    return reply->Send(ProblemFor(allowed.error(), req));
  }
  auto body = ParseObjectBody(req.body, false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));

  FinalSummary summary;
  summary.incident_number = detail->incident.number;
  summary.updated_by = who.actor();
  std::vector<FieldError> errors;
  summary.root_cause = RequiredString(*body, "root_cause", "/root_cause", errors);
  summary.customer_impact = RequiredString(*body, "customer_impact", "/customer_impact", errors);
  summary.remediation = RequiredString(*body, "remediation", "/remediation", errors);
  auto reason = OptionalStringField(*body, "no_followups_reason");
  if (!reason.ok()) return reply->Send(ProblemFor(reason.error(), req));
  summary.no_followups_reason = std::move(*reason);
  auto items = body->find("followups");
  if (items == body->end() || !items->is_array()) {
    errors.push_back({"/followups", "is required (an array, empty only with no_followups_reason)"});
  } else {
    for (size_t i = 0; i < items->size(); ++i) {
      const std::string at = "/followups/" + std::to_string(i);
      const nlohmann::json& item = (*items)[i];
      if (!item.is_object()) {
        errors.push_back({at, "must be an object with title, owner, due"});
        continue;
      }
      SummaryFollowup f;
      f.title = RequiredString(item, "title", at + "/title", errors);
      f.owner = RequiredString(item, "owner", at + "/owner", errors);
      if (!f.owner.empty() && !IsConfiguredUser(f.owner)) {
        errors.push_back({at + "/owner", "is not a configured user"});
      }
      const std::string due = RequiredString(item, "due", at + "/due", errors);
      if (!due.empty()) {
        Result<TimePoint> t = ParseDue(due);
        if (t.ok()) {
          f.due_at = *t;
        } else {
          errors.push_back({at + "/due", "must be an RFC 3339 date or time"});
        }
      }
      summary.followups.push_back(std::move(f));
    }
    if (items->empty() && summary.no_followups_reason.empty()) {
      errors.push_back({"/no_followups_reason", "is required when followups is empty"});
    }
  }
  if (!errors.empty()) {
    return reply->Send(
        ProblemFor(Error::Invalid("the final summary is incomplete", std::move(errors)), req));
  }
  store_.SaveSummary(std::move(summary),
                     Respond<FinalSummary>(std::move(reply), req, 200,
                                           [](const FinalSummary& s) { return SummaryToJson(s); }));
}

void Api::GetSummary(const Request& req, const PathParams& params, Reply reply) {
  std::optional<IncidentDetail> detail = ReadableIncident(req, params, reply);
  if (!detail) return;
  auto summary = store_.GetSummary(detail->incident.number);
  if (!summary.ok()) return reply->Send(ProblemFor(summary.error(), req));
  if (!summary->has_value()) {
    return reply->Send(
        ProblemFor(Error::NotFound(detail->incident.id() + " has no final summary yet"), req));
  }
  reply->Send(JsonResponse(200, SummaryToJson(**summary)));
}

// ---- follow-ups ----

void Api::ListFollowups(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  QueryParams q(req.query);
  FollowupFilter filter;
  filter.now = clock_.Now();
  std::vector<FieldError> errors;
  if (auto v = q.Get("owner")) filter.owner = *v;
  if (auto v = q.Get("status"); v && !v->empty()) {
    filter.status = ParseFollowupStatus(*v);
    if (!filter.status) errors.push_back({"/query/status", "must be one of open, done, cancelled"});
  }
  if (auto v = q.Get("overdue"); v && !v->empty()) {
    if (*v == "true" || *v == "1") {
      filter.overdue_only = true;
    } else if (*v != "false" && *v != "0") {
      errors.push_back({"/query/overdue", "must be true or false"});
    }
  }
  if (auto v = q.Get("source"); v && !v->empty()) {
    // "INC-3" (any kind), or "<kind>:<ref>" such as "drill:2026-11".
    const size_t colon = v->find(':');
    if (colon == std::string::npos) {
      filter.source_ref = *v;
    } else {
      filter.source_kind = v->substr(0, colon);
      filter.source_ref = v->substr(colon + 1);
    }
  }
  if (!errors.empty()) return reply->Send(ProblemFor(InvalidQuery(std::move(errors)), req));
  auto list = store_.ListFollowups(filter);
  if (!list.ok()) return reply->Send(ProblemFor(list.error(), req));
  std::erase_if(*list, [&](const Followup& f) { return !SeesService(*who, f.service_id); });
  Json body = Json::object();
  body["followups"] = FollowupsToJson(*list, filter.now);
  reply->Send(JsonResponse(200, body));
}

void Api::CreateFollowup(const Request& req, const PathParams&, Reply reply) {
  auto who = RouteCaller(req);  // then responder on the follow-up's team
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  auto body = ParseObjectBody(req.body, false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  std::vector<FieldError> errors;
  Followup f;
  f.created_by = who->actor();
  f.title = RequiredString(*body, "title", "/title", errors);
  f.owner = RequiredString(*body, "owner", "/owner", errors);
  if (!f.owner.empty() && !IsConfiguredUser(f.owner)) {
    errors.push_back({"/owner", "is not a configured user"});
  }
  const std::string due = RequiredString(*body, "due", "/due", errors);
  if (!due.empty()) {
    Result<TimePoint> t = ParseDue(due);
    if (t.ok()) {
      f.due_at = *t;
    } else {
      errors.push_back({"/due", "must be an RFC 3339 date or time"});
    }
  }
  auto service = OptionalStringField(*body, "service");
  if (!service.ok()) return reply->Send(ProblemFor(service.error(), req));
  std::string source_service;  // the source incident's service
  if (!service->empty()) {
    auto found = store_.GetService(*service);
    if (!found.ok()) return reply->Send(ProblemFor(found.error(), req));
    if (!found->has_value()) errors.push_back({"/service", "is not a known service"});
    f.service_id = std::move(*service);
  }
  if (auto source = body->find("source"); source != body->end() && !source->is_null()) {
    if (!source->is_object() || source->size() != 1 || !source->begin()->is_string()) {
      errors.push_back({"/source",
                        "must be one of {\"incident\":id}, {\"review\":id}, "
                        "{\"drill\":id}"});
    } else {
      f.source_kind = source->begin().key();
      f.source_ref = source->begin()->get<std::string>();
      if (f.source_kind == "incident" || f.source_kind == "review") {
        auto number = ParseIncidentRef(f.source_ref);
        auto incident = number ? store_.GetIncident(*number)
                               : Result<std::optional<IncidentDetail>>(std::nullopt);
        if (!incident.ok()) return reply->Send(ProblemFor(incident.error(), req));
        if (!incident->has_value()) {
          errors.push_back({"/source/" + f.source_kind, "names no incident"});
        } else {
          f.incident_number = *number;
          f.source_ref = IncidentId(*number);
          source_service = (*incident)->incident.service_id;
        }
      } else if (f.source_kind != "drill" || f.source_ref.empty()) {
        errors.push_back({"/source",
                          "must be one of {\"incident\":id}, {\"review\":id}, "
                          "{\"drill\":id}"});
      }
    }
  }
  if (!errors.empty()) {
    return reply->Send(
        ProblemFor(Error::Invalid("the follow-up is invalid", std::move(errors)), req));
  }
  // The team of the named service, else of the source incident's service (none: global role).
  if (Status permitted =
          Permit(*who, Action::kRespond,
                 TeamOfService(!f.service_id.empty() ? f.service_id : source_service),
                 Error::NotFound("no service " + f.service_id));
      !permitted.ok()) {
    return reply->Send(ProblemFor(permitted.error(), req));
  }
  store_.CreateFollowup(std::move(f),
                        Respond<Followup>(std::move(reply), req, 201, [this](const Followup& out) {
                          return FollowupToJson(out, clock_.Now());
                        }));
}

void Api::PatchFollowup(const Request& req, const PathParams& params, Reply reply) {
  auto who = RouteCaller(req);  // then responder on the follow-up's team
  if (!who.ok()) return reply->Send(ProblemFor(who.error(), req));
  std::string_view id = params.Get("id");
  auto number = ParseFollowupId(id);
  if (!number) return reply->Send(ProblemFor(NoSuchFollowup(id), req));
  auto team = FollowupTeam(*number);
  if (!team.ok()) return reply->Send(ProblemFor(team.error(), req));
  if (Status permitted = Permit(*who, Action::kRespond, *team, NoSuchFollowup(id));
      !permitted.ok()) {
    return reply->Send(ProblemFor(permitted.error(), req));
  }
  auto body = ParseObjectBody(req.body, false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  FollowupPatch patch;
  patch.number = *number;
  patch.actor = who->actor();
  std::vector<FieldError> errors;
  for (const char* key : {"status", "owner", "due"}) {
    auto it = body->find(key);
    if (it == body->end()) continue;
    const std::string pointer = std::string("/") + key;
    if (!it->is_string() || it->get<std::string>().empty()) {
      errors.push_back({pointer, "must be a non-empty string"});
      continue;
    }
    const std::string value = it->get<std::string>();
    if (key == std::string_view("status")) {
      patch.status = ParseFollowupStatus(value);
      if (!patch.status) errors.push_back({pointer, "must be one of open, done, cancelled"});
    } else if (key == std::string_view("owner")) {
      if (!IsConfiguredUser(value)) errors.push_back({pointer, "is not a configured user"});
      patch.owner = value;
    } else {
      Result<TimePoint> t = ParseDue(value);
      if (t.ok()) {
        patch.due_at = *t;
      } else {
        errors.push_back({pointer, "must be an RFC 3339 date or time"});
      }
    }
  }
  if (errors.empty() && !patch.status && !patch.owner && !patch.due_at) {
    errors.push_back({"", "give at least one of status, owner, due"});
  }
  if (!errors.empty()) {
    return reply->Send(
        ProblemFor(Error::Invalid("the follow-up change is invalid", std::move(errors)), req));
  }
  store_.UpdateFollowup(std::move(patch),
                        Respond<Followup>(std::move(reply), req, 200, [this](const Followup& out) {
                          return FollowupToJson(out, clock_.Now());
                        }));
}

// ---- post-incident review ----

namespace {

Json ReviewToJson(const Review& r, const Incident& incident, const std::vector<Followup>& list,
                  TimePoint now) {
  Json timeline = Json::array();
  for (const ReviewEvent& e : r.timeline) {
    timeline.push_back(
        {{"at", FormatRfc3339(e.at)}, {"type", e.type}, {"actor", e.actor}, {"text", e.text}});
  }
  Json j = Json::object();
  j["incident"] = incident.id();
  j["severity"] = SeverityName(incident.severity);
  j["required"] = ReviewRequired(incident.severity);
  j["status"] = r.published() ? "published" : "draft";
  j["title"] = r.title;
  j["summary"] = r.summary;
  j["timeline"] = std::move(timeline);
  j["root_cause"] = r.root_cause;
  j["customer_impact"] = r.customer_impact;
  j["remediation"] = r.remediation;
  j["followups"] = FollowupsToJson(list, now);
  j["created_by"] = r.created_by;
  j["created_at"] = FormatRfc3339(r.created_at);
  j["updated_by"] = r.updated_by;
  j["updated_at"] = FormatRfc3339(r.updated_at);
  j["published_at"] = TimeOrNull(r.published_at);
  j["published_by"] = r.published_by.empty() ? Json() : Json(r.published_by);
  return j;
}

}  // namespace

// The incident's follow-ups that are not cancelled.
Result<std::vector<Followup>> Api::LiveFollowups(int64_t incident_number) {
  FollowupFilter filter;
  filter.incident_number = incident_number;
  auto list = store_.ListFollowups(filter);
  if (!list.ok()) return list;
  std::erase_if(*list, [](const Followup& f) { return f.status == FollowupStatus::kCancelled; });
  return list;
}

std::optional<Api::ReviewContext> Api::LoadReview(const Request& req, const PathParams& params,
                                                  const Reply& reply, Action action,
                                                  bool must_exist) {
  auto fail = [&](const Error& e) {
    reply->Send(ProblemFor(e, req));
    return std::optional<ReviewContext>();
  };
  ReviewContext ctx;
  Principal who;
  std::optional<IncidentDetail> detail = ReadableIncident(req, params, reply, &who, action);
  if (!detail) return std::nullopt;
  ctx.actor = who.actor();
  ctx.detail = std::move(*detail);
  auto review = store_.GetReview(ctx.detail.incident.number);
  if (!review.ok()) return fail(review.error());
  ctx.review = std::move(*review);
  if (must_exist && !ctx.review) {
    return fail(Error::NotFound(ctx.detail.incident.id() +
                                " has no review yet (POST .../review drafts one)"));
  }
  auto followups = LiveFollowups(ctx.detail.incident.number);
  if (!followups.ok()) return fail(followups.error());
  ctx.followups = std::move(*followups);
  return ctx;
}

void Api::SaveReviewAndAnswer(ReviewContext ctx, const std::string& event_type, int status,
                              const Request& req, Reply reply) {
  Review review = std::move(*ctx.review);
  store_.SaveReview(std::move(review), event_type,
                    Respond<Review>(std::move(reply), req, status,
                                    [this, incident = ctx.detail.incident,
                                     followups = std::move(ctx.followups)](const Review& out) {
                                      return ReviewToJson(out, incident, followups, clock_.Now());
                                    }));
}

void Api::DraftReview(const Request& req, const PathParams& params, Reply reply) {
  std::optional<ReviewContext> ctx = LoadReview(req, params, reply, Action::kRespond, false);
  if (!ctx) return;
  const Incident& incident = ctx->detail.incident;
  if (incident.state != IncidentState::kClosed) {
    return reply->Send(
        ProblemFor(Error::Conflict(incident.id() + " is " + IncidentStateName(incident.state) +
                                   "; a review is drafted once the incident is closed"),
                   req));
  }
  if (ctx->review) {
    return reply->Send(ProblemFor(
        Error::Conflict(incident.id() + " already has a review; PUT .../review edits it"), req));
  }
  auto summary = store_.GetSummary(incident.number);
  if (!summary.ok()) return reply->Send(ProblemFor(summary.error(), req));
  ctx->review =
      loom::DraftReview(incident, ctx->detail.timeline, summary->has_value() ? &**summary : nullptr,
                        ctx->actor, clock_.Now());
  SaveReviewAndAnswer(std::move(*ctx), "review.drafted", 201, req, std::move(reply));
}

void Api::GetReview(const Request& req, const PathParams& params, Reply reply) {
  std::optional<ReviewContext> ctx = LoadReview(req, params, reply, Action::kRead, true);
  if (!ctx) return;
  reply->Send(JsonResponse(
      200, ReviewToJson(*ctx->review, ctx->detail.incident, ctx->followups, clock_.Now())));
}

void Api::GetReviewMarkdown(const Request& req, const PathParams& params, Reply reply) {
  std::optional<ReviewContext> ctx = LoadReview(req, params, reply, Action::kRead, true);
  if (!ctx) return;
  Response r;
  r.status = 200;
  r.content_type = "text/markdown; charset=utf-8";
  r.body = ReviewMarkdown(*ctx->review, ctx->detail.incident, ctx->followups);
  reply->Send(std::move(r));
}

void Api::PutReview(const Request& req, const PathParams& params, Reply reply) {
  std::optional<ReviewContext> ctx = LoadReview(req, params, reply, Action::kRespond, true);
  if (!ctx) return;
  if (ctx->review->published()) {
    return reply->Send(ProblemFor(
        Error::Conflict(ctx->detail.incident.id() + "'s review is published and final"), req));
  }
  auto body = ParseObjectBody(req.body, false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  Review& r = *ctx->review;
  for (auto [key, slot] :
       {std::pair{"title", &r.title}, std::pair{"summary", &r.summary},
        std::pair{"root_cause", &r.root_cause}, std::pair{"customer_impact", &r.customer_impact},
        std::pair{"remediation", &r.remediation}}) {
    if (!body->contains(key)) continue;
    auto value = OptionalStringField(*body, key);
    if (!value.ok()) return reply->Send(ProblemFor(value.error(), req));
    *slot = std::move(*value);
  }
  r.updated_by = ctx->actor;
  r.updated_at = clock_.Now();
  SaveReviewAndAnswer(std::move(*ctx), "", 200, req, std::move(reply));
}

void Api::PublishReview(const Request& req, const PathParams& params, Reply reply) {
  std::optional<ReviewContext> ctx = LoadReview(req, params, reply, Action::kRespond, true);
  if (!ctx) return;
  const Incident& incident = ctx->detail.incident;
  if (ctx->review->published()) {
    return reply->Send(
        ProblemFor(Error::Conflict(incident.id() + "'s review is already published"), req));
  }
  auto summary = store_.GetSummary(incident.number);
  if (!summary.ok()) return reply->Send(ProblemFor(summary.error(), req));
  const std::string reason = summary->has_value() ? (*summary)->no_followups_reason : "";
  std::vector<std::string> problems =
      PublishProblems(*ctx->review, ctx->followups, reason,
                      [this](const std::string& user) { return IsConfiguredUser(user); });
  if (!problems.empty()) {
    std::string detail = incident.id() + "'s review cannot be published yet: ";
    std::vector<FieldError> errors;
    for (size_t i = 0; i < problems.size(); ++i) {
      detail += (i == 0 ? "" : "; ") + problems[i];
      errors.push_back({"/review", problems[i]});
    }
    Error e = Error::Conflict(std::move(detail));
    e.fields = std::move(errors);
    return reply->Send(ProblemFor(e, req));
  }
  ctx->review->published_at = clock_.Now();
  ctx->review->published_by = ctx->actor;
  ctx->review->updated_at = *ctx->review->published_at;
  ctx->review->updated_by = ctx->actor;
  SaveReviewAndAnswer(std::move(*ctx), "review.published", 200, req, std::move(reply));
}

}  // namespace loom::http
