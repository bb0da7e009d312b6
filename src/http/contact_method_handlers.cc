// A person's own contact methods and notification rules (docs/profile.md, docs/api.md "Contact
// methods"): /v1/users/{id}/contact-methods..., /v1/users/{id}/notification-rules and who
// changed them, /v1/users/{id}/contact-history (each change records the caller's actor string).
//
// Who: the person themself (Principal::user == {id}) with role responder or above, or an admin
// for anyone. Methods from the configuration file are listed read-only (`source: config`).
//
// A method added here is unverified and never paged: a 6-digit code (core/contact_verification.h)
// is sent through it, directly through its channel (AccountOptions::send_direct: one attempt
// under the outbound policy, its outcome in the answer; `send-code` sends a new one), and
// entered back with `verify`. Verifying, deleting and setting rules rebuild the roster
// (rebuild_roster_ merges the stored methods and rules, config/contact_method_input.h), so the
// escalation engine and delivery page through them like the file's.

#include <string>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "common/time_format.h"
#include "config/value_checks.h"
#include "http/access.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "notify/channels.h"

namespace loom::http {
namespace {

// GET .../contact-history answers the newest changes, at most this many.
constexpr int kContactHistoryLimit = 100;

Json StoredMethodJson(const StoredContactMethod& m) {
  Json keys = Json::object();
  for (const auto& [name, value] : m.keys) keys[name] = value;
  return Json{{"id", m.id},
              {"type", m.type},
              {"source", "api"},
              {"verified", m.verified},
              {"code_pending", !m.verified && !m.code.hash.empty()},
              {"keys", keys},
              {"created_at", FormatRfc3339(m.created_at)}};
}

Json ConfigMethodJson(const ContactMethod& m) {
  Json keys = Json::object();
  if (m.address_is_secret) {
    keys["url_env"] = m.url_env;
  } else if (!m.address.empty()) {
    keys["address"] = m.address;
  }
  if (!m.secret_env.empty()) keys["secret_env"] = m.secret_env;
  return Json{
      {"id", m.id}, {"type", m.type}, {"source", "config"}, {"verified", true}, {"keys", keys}};
}

Json RulesJson(const std::vector<NotificationRule>& rules) {
  Json out = Json::array();
  for (const NotificationRule& r : rules) {
    out.push_back(
        {{"method", r.method},
         {"after",
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(r.after).count()) +
              "s"}});
  }
  return out;
}

// The rules of one urgency in a PUT body: [{method, after}] with `after` a duration ("5m").
Result<std::vector<NotificationRule>> ParseRules(const nlohmann::json& body, const char* key) {
  std::vector<NotificationRule> out;
  if (!body.contains(key) || body[key].is_null()) return out;
  const std::string at = std::string("/") + key;
  if (!body[key].is_array()) return Error::Invalid("bad rules", {{at, "must be an array"}});
  for (size_t i = 0; i < body[key].size(); ++i) {
    const nlohmann::json& r = body[key][i];
    const std::string here = at + "/" + std::to_string(i);
    if (!r.is_object() || !r.contains("method") || !r["method"].is_string()) {
      return Error::Invalid("bad rules", {{here + "/method", "is required (a contact method id)"}});
    }
    NotificationRule rule{r["method"].get<std::string>(), {}};
    if (r.contains("after")) {
      if (!r["after"].is_string()) {
        return Error::Invalid("bad rules", {{here + "/after", "must be a duration (\"5m\")"}});
      }
      Result<Duration> after = ParseDuration(r["after"].get<std::string>());
      if (!after.ok() || *after < Duration::zero()) {
        return Error::Invalid("bad rules", {{here + "/after", "is not a duration (\"5m\")"}});
      }
      rule.after = *after;
    }
    out.push_back(std::move(rule));
  }
  return out;
}

// The types a person may add, in the channel table's order, each with its keys (ContactKeysOf: the
// console's form shows one field per key) and whether the server is set up for it: "usable", or
// the problem that adding one would answer under /type (a provider or the mail relay missing).
Json TypesJson(const ContactContext& context) {
  Json out = Json::array();
  for (const ChannelType* type : ChannelTypes()) {
    Json keys = Json::array();
    for (const ContactKey& key : ContactKeysOf(*type)) {
      keys.push_back(
          {{"name", std::string(key.name)}, {"required", key.required}, {"env", key.from_env}});
    }
    const std::string name(type->name);
    Json entry{{"type", name}, {"keys", std::move(keys)}, {"usable", true}};
    ContactMethod unused;
    for (const ContactKeyProblem& p : ResolveContactKeys(name, {}, context, &unused)) {
      if (p.key != "type") continue;
      entry["usable"] = false;
      entry["problem"] = p.message;
      break;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

// Runs `rebuild` on `jobs`, off the store's writer thread where write callbacks run (the rebuild
// reads the store), then sends `done`, or the rebuild's problem.
void RebuildThenSend(JobThread& jobs, std::function<Status()> rebuild, Reply reply, Response done,
                     Method method, std::string instance) {
  jobs.Post([rebuild = std::move(rebuild), reply = std::move(reply), done = std::move(done), method,
             instance = std::move(instance)] {
    Status rebuilt = rebuild();
    if (!rebuilt.ok()) return reply->Send(ProblemFor(rebuilt.error(), RequestAt(method, instance)));
    reply->Send(done);
  });
}

}  // namespace

Result<std::string> Api::ContactOwner(const Request& req, const PathParams& params,
                                      std::string* actor) {
  auto who = RouteCaller(req);
  if (!who.ok()) return std::move(who).error();
  if (actor != nullptr) *actor = who->actor();
  std::string user(params.Get("id"));
  // The person themself when they may respond somewhere: a team's responder is paged too.
  const bool self = who->user == user && MayRespondSomewhere(CallerOf(*who));
  if (!self && !RoleAllows(who->role, Role::kAdmin)) {
    return Error::PermissionDenied("managing " + user + "'s contact methods needs role responder " +
                                   "(globally or in a team) as " + user + ", or role admin");
  }
  auto account = store_.GetAccount(user);
  if (!account.ok()) return std::move(account).error();
  if (!account->has_value()) return Error::NotFound("no user " + user);
  return user;
}

Status Api::RebuildContacts() {
  if (!rebuild_roster_ || roster_ == nullptr) return OkStatus();
  return ApplyOverrideChange(nullptr, 0);
}

const User* Api::RosterUser(const std::shared_ptr<const OnCallSnapshot>& oncall,
                            const std::string& user) const {
  return oncall ? oncall->FindUser(user) : nullptr;
}

void Api::ListContactMethods(const Request& req, const PathParams& params, Reply reply) {
  Result<std::string> user = ContactOwner(req, params);
  if (!user.ok()) return reply->Send(ProblemFor(user.error(), req));
  auto stored = store_.ListContactMethods(*user);
  if (!stored.ok()) return reply->Send(ProblemFor(stored.error(), req));
  auto rules = store_.ListNotificationRules();
  if (!rules.ok()) return reply->Send(ProblemFor(rules.error(), req));
  Json methods = Json::array();
  const auto oncall = roster_ ? roster_->Current() : nullptr;
  const User* person = RosterUser(oncall, *user);
  if (person != nullptr) {
    for (const ContactMethod& m : person->contact_methods) {
      bool is_stored = false;
      for (const StoredContactMethod& s : *stored) is_stored = is_stored || s.id == m.id;
      if (!is_stored) methods.push_back(ConfigMethodJson(m));
    }
  }
  for (const StoredContactMethod& m : *stored) methods.push_back(StoredMethodJson(m));
  Json body{{"user", *user}, {"contact_methods", methods}};
  Json out_rules{{"source", "config"},
                 {"high", RulesJson(person ? person->high_rules : std::vector<NotificationRule>{})},
                 {"low", RulesJson(person ? person->low_rules : std::vector<NotificationRule>{})}};
  for (const StoredNotificationRules& r : *rules) {
    if (r.user_id != *user) continue;
    out_rules = Json{{"source", "api"}, {"high", RulesJson(r.high)}, {"low", RulesJson(r.low)}};
  }
  body["notification_rules"] = out_rules;
  body["types"] = TypesJson(options_.accounts.contacts);
  reply->Send(JsonResponse(200, body));
}

void Api::CreateContactMethod(const Request& req, const PathParams& params, Reply reply) {
  std::string actor;
  Result<std::string> user = ContactOwner(req, params, &actor);
  if (!user.ok()) return reply->Send(ProblemFor(user.error(), req));
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  StoredContactMethod method;
  method.user_id = *user;
  std::vector<FieldError> errors;
  for (const auto& [name, value] : body->items()) {
    if (!value.is_string()) {
      errors.push_back({"/" + name, "must be a string"});
    } else if (name == "type") {
      method.type = value.get<std::string>();
    } else if (name == "id") {
      method.id = value.get<std::string>();
    } else {
      method.keys[name] = value.get<std::string>();
    }
  }
  if (method.type.empty()) errors.push_back({"/type", "is required"});
  if (!method.id.empty() && !config::IsValidUserId(method.id)) {
    errors.push_back(
        {"/id", "'" + method.id + "' is not a valid id (" + config::kUserIdRule + ")"});
  }
  ContactMethod resolved;
  if (errors.empty()) {
    for (const ContactKeyProblem& p :
         ResolveContactKeys(method.type, method.keys, options_.accounts.contacts, &resolved)) {
      errors.push_back({"/" + p.key, p.message});
    }
  }
  if (!errors.empty()) {
    return reply->Send(ProblemFor(Error::Invalid("the contact method is not valid", errors), req));
  }
  if (method.id.empty()) method.id = method.type + "-" + RandomHex(3);
  const auto oncall = roster_ ? roster_->Current() : nullptr;
  if (const User* person = RosterUser(oncall, *user);
      person != nullptr && FindContactMethod(*person, method.id) != nullptr) {
    return reply->Send(ProblemFor(
        Error::Conflict(*user + " has a contact method " + method.id + " already"), req));
  }
  const std::string code = NewVerificationCode();
  method.code = VerificationCode{HashVerificationCode(code), clock_.Now() + kCodeTtl, 0};
  std::string instance(req.path);
  store_.CreateContactMethod(
      std::move(method), std::move(actor),
      [this, code, resolved = std::move(resolved), reply = std::move(reply),
       instance = std::move(instance)](Result<StoredContactMethod> out) mutable {
        if (!out.ok())
          return reply->Send(ProblemFor(out.error(), RequestAt(Method::kPost, instance)));
        Json body = StoredMethodJson(*out);
        accounts_jobs_.Post([this, body = std::move(body), stored = std::move(*out), code,
                             resolved = std::move(resolved), reply = std::move(reply)]() mutable {
          SendOutcome sent = SendVerificationCode(stored, resolved, code);
          body["code_sent"] = sent.sent;
          if (!sent.error.empty()) body["send_error"] = sent.error;
          reply->Send(JsonResponse(201, body));
        });
      });
}

// Renders and sends the code through the method's channel; on a thread that may block.
Api::SendOutcome Api::SendVerificationCode(const StoredContactMethod& stored,
                                           const ContactMethod& resolved, const std::string& code) {
  Notice notice;
  notice.id = "verify-" + RandomHex(8);
  notice.type = "verification";
  notice.recipient = stored.user_id;
  notice.summary = "loom-oncall verification code for contact method " + stored.id + ": " + code;
  notice.detail = "Enter it under My profile within 15 minutes, or POST it to /v1/users/" +
                  stored.user_id + "/contact-methods/" + stored.id + "/verify.";
  notice.created_at = clock_.Now();
  return SendDirect(resolved, notice);
}

Api::SendOutcome Api::SendDirect(const ContactMethod& method, const Notice& notice) {
  if (!options_.accounts.send_direct) {
    return {false, "no channels are wired to send through"};
  }
  SendResult result = options_.accounts.send_direct(
      Destination{method.type, method.address, method.secrets}, notice);
  if (result.outcome == SendResult::Outcome::kDelivered) return {true, ""};
  return {false, std::string(OutcomeName(result.outcome)) +
                     (result.error.empty() ? "" : ": " + result.error)};
}

// The stored method {mid} of the owner, resolved; the problem otherwise.
Result<std::pair<StoredContactMethod, ContactMethod>> Api::StoredMethod(const std::string& user,
                                                                        const std::string& id) {
  auto stored = store_.ListContactMethods(user);
  if (!stored.ok()) return std::move(stored).error();
  for (StoredContactMethod& m : *stored) {
    if (m.id != id) continue;
    ContactMethod resolved;
    std::vector<ContactKeyProblem> problems =
        ResolveContactKeys(m.type, m.keys, options_.accounts.contacts, &resolved);
    if (!problems.empty()) {
      return Error::Conflict("contact method " + id + " cannot be used now: " +
                             (problems[0].key.empty() ? "" : problems[0].key + " ") +
                             problems[0].message);
    }
    resolved.id = m.id;
    return std::make_pair(std::move(m), std::move(resolved));
  }
  const auto oncall = roster_ ? roster_->Current() : nullptr;
  if (const User* person = RosterUser(oncall, user);
      person != nullptr && FindContactMethod(*person, id) != nullptr) {
    return Error::Conflict("contact method " + id +
                           " comes from the configuration file: change it there");
  }
  return Error::NotFound(user + " has no contact method " + id);
}

void Api::DeleteContactMethod(const Request& req, const PathParams& params, Reply reply) {
  std::string actor;
  Result<std::string> user = ContactOwner(req, params, &actor);
  if (!user.ok()) return reply->Send(ProblemFor(user.error(), req));
  const std::string id(params.Get("mid"));
  std::string instance(req.path);
  store_.DeleteContactMethod(
      *user, id, std::move(actor),
      [this, user = *user, id, reply = std::move(reply),
       instance = std::move(instance)](Result<bool> out) {
        const Request where = RequestAt(Method::kDelete, instance);
        if (!out.ok()) {
          Error e = out.error();
          const auto oncall = roster_ ? roster_->Current() : nullptr;
          const User* person = RosterUser(oncall, user);
          if (e.code == ErrorCode::kNotFound && person != nullptr &&
              FindContactMethod(*person, id) != nullptr) {
            e = Error::Conflict("contact method " + id +
                                " comes from the configuration file: change it there");
          }
          return reply->Send(ProblemFor(e, where));
        }
        RebuildThenSend(
            accounts_jobs_, [this] { return RebuildContacts(); }, reply,
            JsonResponse(200, Json{{"deleted", id}}), Method::kDelete, instance);
      });
}

void Api::VerifyContactMethod(const Request& req, const PathParams& params, Reply reply) {
  std::string actor;
  Result<std::string> user = ContactOwner(req, params, &actor);
  if (!user.ok()) return reply->Send(ProblemFor(user.error(), req));
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  Result<std::string> code = OptionalStringField(*body, "code");
  if (!code.ok()) return reply->Send(ProblemFor(code.error(), req));
  if (code->empty()) {
    return reply->Send(
        ProblemFor(Error::Invalid("code is required", {{"/code", "is required"}}), req));
  }
  const std::string id(params.Get("mid"));
  std::string instance(req.path);
  store_.CheckContactCode(
      *user, id, *code, clock_.Now(), std::move(actor),
      [this, id, reply = std::move(reply), instance = std::move(instance)](Result<CodeCheck> out) {
        const Request where = RequestAt(Method::kPost, instance);
        if (!out.ok()) return reply->Send(ProblemFor(out.error(), where));
        if (*out != CodeCheck::kVerified) {
          const std::string why =
              *out == CodeCheck::kWrong          ? "the code is wrong"
              : *out == CodeCheck::kExpired      ? "the code has expired: send a new one"
              : *out == CodeCheck::kTooManyTries ? "too many wrong codes: send a new one"
                                                 : "no code was sent: send one";
          return reply->Send(
              ProblemFor(Error::Unprocessable(why, {{"/code", CodeCheckName(*out)}}), where));
        }
        RebuildThenSend(
            accounts_jobs_, [this] { return RebuildContacts(); }, reply,
            JsonResponse(200, Json{{"id", id}, {"verified", true}}), Method::kPost, instance);
      });
}

void Api::SendContactCode(const Request& req, const PathParams& params, Reply reply) {
  Result<std::string> user = ContactOwner(req, params);
  if (!user.ok()) return reply->Send(ProblemFor(user.error(), req));
  auto found = StoredMethod(*user, std::string(params.Get("mid")));
  if (!found.ok()) return reply->Send(ProblemFor(found.error(), req));
  if (found->first.verified) {
    return reply->Send(ProblemFor(
        Error::Conflict("contact method " + found->first.id + " is verified already"), req));
  }
  const std::string code = NewVerificationCode();
  VerificationCode state{HashVerificationCode(code), clock_.Now() + kCodeTtl, 0};
  std::string instance(req.path);
  std::string id = found->first.id;
  store_.SetContactCode(
      *user, std::move(id), std::move(state),
      [this, code, found = std::move(*found), reply = std::move(reply),
       instance = std::move(instance)](Result<bool> out) mutable {
        if (!out.ok()) {
          return reply->Send(ProblemFor(out.error(), RequestAt(Method::kPost, instance)));
        }
        accounts_jobs_.Post([this, code, found = std::move(found), reply = std::move(reply)] {
          SendOutcome sent = SendVerificationCode(found.first, found.second, code);
          Json body{{"id", found.first.id}, {"code_sent", sent.sent}};
          if (!sent.error.empty()) body["send_error"] = sent.error;
          reply->Send(JsonResponse(sent.sent ? 200 : 502, body));
        });
      });
}

void Api::TestContactMethod(const Request& req, const PathParams& params, Reply reply) {
  Result<std::string> user = ContactOwner(req, params);
  if (!user.ok()) return reply->Send(ProblemFor(user.error(), req));
  const std::string id(params.Get("mid"));
  ContactMethod method;
  auto found = StoredMethod(*user, id);
  if (found.ok()) {
    if (!found->first.verified) {
      return reply->Send(ProblemFor(
          Error::Conflict("contact method " + id + " is not verified yet: verify it first"), req));
    }
    method = std::move(found->second);
  } else {
    const auto oncall = roster_ ? roster_->Current() : nullptr;
    const User* person = RosterUser(oncall, *user);
    const ContactMethod* configured = person ? FindContactMethod(*person, id) : nullptr;
    if (configured == nullptr) return reply->Send(ProblemFor(found.error(), req));
    method = *configured;
  }
  accounts_jobs_.Post([this, user = *user, method = std::move(method), reply = std::move(reply)] {
    Notice notice;
    notice.id = "test-" + RandomHex(8);
    notice.type = "test";
    notice.recipient = user;
    notice.summary = "Test notification from loom-oncall to contact method " + method.id +
                     ": this is how a page reaches you";
    notice.created_at = clock_.Now();
    SendOutcome sent = SendDirect(method, notice);
    Json body{{"id", method.id}, {"sent", sent.sent}};
    if (!sent.error.empty()) body["send_error"] = sent.error;
    reply->Send(JsonResponse(sent.sent ? 200 : 502, body));
  });
}

void Api::PutNotificationRules(const Request& req, const PathParams& params, Reply reply) {
  std::string actor;
  Result<std::string> user = ContactOwner(req, params, &actor);
  if (!user.ok()) return reply->Send(ProblemFor(user.error(), req));
  auto body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  StoredNotificationRules rules;
  rules.user_id = *user;
  auto high = ParseRules(*body, "high");
  if (!high.ok()) return reply->Send(ProblemFor(high.error(), req));
  auto low = ParseRules(*body, "low");
  if (!low.ok()) return reply->Send(ProblemFor(low.error(), req));
  rules.high = std::move(high).value();
  rules.low = std::move(low).value();
  // Each method must be the file's or stored and verified.
  auto stored = store_.ListContactMethods(*user);
  if (!stored.ok()) return reply->Send(ProblemFor(stored.error(), req));
  const auto oncall = roster_ ? roster_->Current() : nullptr;
  const User* person = RosterUser(oncall, *user);
  std::vector<FieldError> errors;
  auto check = [&](const std::vector<NotificationRule>& list, const std::string& key) {
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string& id = list[i].method;
      bool usable = false;
      bool pending = false;
      for (const StoredContactMethod& m : *stored) {
        if (m.id != id) continue;
        usable = m.verified;
        pending = !m.verified;
      }
      if (!usable && !pending && person != nullptr) {
        usable = FindContactMethod(*person, id) != nullptr;
      }
      if (!usable) {
        errors.push_back({"/" + key + "/" + std::to_string(i) + "/method",
                          pending ? "contact method " + id + " is not verified yet"
                                  : "is not a contact method of " + *user});
      }
    }
  };
  check(rules.high, "high");
  check(rules.low, "low");
  if (!errors.empty()) {
    return reply->Send(ProblemFor(Error::Invalid("the rules are not valid", errors), req));
  }
  Json answer{{"source", "api"}, {"high", RulesJson(rules.high)}, {"low", RulesJson(rules.low)}};
  std::string instance(req.path);
  store_.SetNotificationRules(std::move(rules), std::move(actor),
                              [this, answer = std::move(answer), reply = std::move(reply),
                               instance = std::move(instance)](Result<bool> out) {
                                const Request where = RequestAt(Method::kPut, instance);
                                if (!out.ok()) return reply->Send(ProblemFor(out.error(), where));
                                RebuildThenSend(
                                    accounts_jobs_, [this] { return RebuildContacts(); }, reply,
                                    JsonResponse(200, answer), Method::kPut, instance);
                              });
}

void Api::ListContactHistory(const Request& req, const PathParams& params, Reply reply) {
  Result<std::string> user = ContactOwner(req, params);
  if (!user.ok()) return reply->Send(ProblemFor(user.error(), req));
  auto changes = store_.ListContactHistory(*user, kContactHistoryLimit);
  if (!changes.ok()) return reply->Send(ProblemFor(changes.error(), req));
  Json list = Json::array();
  for (const ContactChange& c : *changes) {
    Json entry{{"at", FormatRfc3339(c.at)}, {"actor", c.actor}, {"action", c.action}};
    if (!c.method_id.empty()) {
      entry["method"] = c.method_id;
      entry["type"] = c.method_type;
    }
    list.push_back(std::move(entry));
  }
  reply->Send(JsonResponse(200, Json{{"user", *user}, {"changes", std::move(list)}}));
}

}  // namespace loom::http
