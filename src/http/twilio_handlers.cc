// Twilio's callbacks (docs/channels.md "SMS (Twilio)" and "Voice (Twilio)"): SMS replies, the
// key a called person presses, and the status callbacks of messages and calls. Public under
// server.public_url, without an API token: each request must carry the X-Twilio-Signature of
// notify.providers.twilio's Auth Token over the public URL and its form parameters
// (notify/twilio/twilio_signature.h), else it is answered 403 and nothing is done. A command
// a callback starts (acknowledge, escalate) is recorded once: its single-use id is the
// MessageSid or CallSid (IncidentCommand::link_nonce), so a replayed callback acts on nothing.

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

#include "http/api.h"
#include "http/handler_util.h"
#include "http/query.h"
#include "notify/sms/sms_channel.h"
#include "notify/twilio/twilio_signature.h"
#include "notify/twilio/twiml.h"

namespace loom::http {
namespace {

constexpr char kSmsHelp[] =
    "loom-oncall: reply <number>A to acknowledge an incident, <number>E to escalate it (e.g. "
    "12A); STOP ends SMS pages, START resumes them.";

Response Twiml(std::string xml) {
  Response r;
  r.content_type = "text/xml";
  r.body = std::move(xml);
  return r;
}

std::string Param(const QueryParams& form, std::string_view name) {
  return form.Get(name).value_or("");
}

// "12" and "12,13" → the numbers; empty when any part is not a positive number.
std::vector<int64_t> IncidentNumbers(std::string_view text) {
  std::vector<int64_t> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::optional<int64_t> n = ParsePositiveInt(text.substr(0, comma));
    if (!n) return {};
    out.push_back(*n);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

// Machine detection's answers that mean nobody was reached.
bool AnsweredByMachine(const std::string& answered_by) {
  return answered_by.starts_with("machine") || answered_by == "fax";
}

}  // namespace

std::optional<QueryParams> Api::VerifyTwilio(const Request& req, const Reply& reply) const {
  if (options_.twilio_auth_token.empty()) {
    reply->Send(ProblemFor(Error::NotFound("notify.providers.twilio is not configured"), req));
    return std::nullopt;
  }
  QueryParams form(req.body);
  const std::string url = options_.public_url + std::string(req.target);
  FormParams params(form.all().begin(), form.all().end());
  if (!VerifyTwilioSignature(options_.twilio_auth_token, req.twilio_signature, url, params)) {
    spdlog::warn("{}: X-Twilio-Signature missing or wrong; nothing done", req.path);
    reply->Send(ProblemFor(Error::PermissionDenied(
                               "the X-Twilio-Signature does not match this request (checked over " +
                               options_.public_url + " and the request's path)"),
                           req));
    return std::nullopt;
  }
  return form;
}

void Api::TwilioSms(const Request& req, const PathParams&, Reply reply) {
  std::optional<QueryParams> form = VerifyTwilio(req, reply);
  if (!form) return;
  const std::string from = Param(*form, "From");
  const std::string sid = Param(*form, "MessageSid");
  const SmsReply asked = ParseSmsReply(Param(*form, "Body"));
  if (from.empty() || sid.empty()) {
    return reply->Send(ProblemFor(Error::Invalid("From and MessageSid are required"), req));
  }
  if (asked.kind == SmsReply::Kind::kStop || asked.kind == SmsReply::Kind::kStart) {
    const bool stop = asked.kind == SmsReply::Kind::kStop;
    std::string instance(req.path);
    store_.SetSmsOptOut(from, stop, [reply, stop, instance](Result<bool> done) {
      if (!done.ok()) {
        return reply->Send(ProblemFor(done.error(), RequestAt(Method::kPost, instance)));
      }
      // After STOP, Twilio itself confirms the opt-out and would drop our answer anyway.
      reply->Send(Twiml(TwimlMessage(
          stop ? "" : "loom-oncall: SMS pages to this number resume. Reply STOP to end them.")));
    });
    return;
  }
  if (asked.kind != SmsReply::Kind::kAcknowledge && asked.kind != SmsReply::Kind::kEscalate) {
    return reply->Send(Twiml(TwimlMessage(kSmsHelp)));
  }
  // Only the person the page went to: a user with an sms method of this number who was sent the
  // incident by SMS.
  const std::string incident = IncidentId(asked.incident_number);
  Result<std::vector<OutboxEntry>> sent = store_.ListNotifications(asked.incident_number);
  if (!sent.ok()) return reply->Send(ProblemFor(sent.error(), req));
  std::shared_ptr<const OnCallSnapshot> oncall = roster_ ? roster_->Current() : nullptr;
  std::string user;
  for (const OutboxEntry& row : *sent) {
    if (row.method_type != "sms" || oncall == nullptr) continue;
    const User* u = oncall->FindUser(row.recipient);
    const ContactMethod* method = u != nullptr ? FindContactMethod(*u, row.method) : nullptr;
    if (method != nullptr && method->address == from) {
      user = u->id;
      break;
    }
  }
  if (user.empty()) {
    spdlog::info("twilio sms: a reply about {} from a number it was not sent to; nothing done",
                 incident);
    return reply->Send(Twiml(TwimlMessage(incident + " was not paged to this number.")));
  }
  IncidentCommand command;
  command.type = asked.kind == SmsReply::Kind::kAcknowledge ? IncidentCommand::Type::kAcknowledge
                                                            : IncidentCommand::Type::kEscalate;
  command.incident_number = asked.incident_number;
  command.actor = "user:" + user;
  command.via = "sms";
  command.link_nonce = "twilio:" + sid;
  const bool ack = command.type == IncidentCommand::Type::kAcknowledge;
  std::string instance(req.path);
  incident_writes_.Execute(
      std::move(command), [reply, ack, incident, instance](Result<Incident> out) {
        if (out.ok()) {
          return reply->Send(Twiml(
              TwimlMessage(ack ? incident + " acknowledged; the escalation stopped."
                               : incident + " escalated: its next escalation step is paged now.")));
        }
        const Error& e = out.error();
        if (e.code == ErrorCode::kConflict && e.message == kLinkAlreadyUsed) {
          // A replay of a reply already acted on: nothing more is done.
          return reply->Send(Twiml(TwimlMessage("")));
        }
        if (e.code == ErrorCode::kConflict || e.code == ErrorCode::kNotFound) {
          return reply->Send(Twiml(TwimlMessage(e.message)));
        }
        reply->Send(ProblemFor(e, RequestAt(Method::kPost, instance)));
      });
}

void Api::TwilioVoice(const Request& req, const PathParams&, Reply reply) {
  std::optional<QueryParams> form = VerifyTwilio(req, reply);
  if (!form) return;
  const std::string call = Param(*form, "CallSid");
  if (AnsweredByMachine(Param(*form, "AnsweredBy"))) {
    // A machine cannot acknowledge; the call counts as not reached.
    store_.RecordProviderStatus(call, "machine", [](Result<int64_t>) {});
    return reply->Send(Twiml(TwimlSayAndHangUp("")));
  }
  QueryParams query(req.query);
  const std::vector<int64_t> numbers = IncidentNumbers(Param(query, "incidents"));
  const std::string user = Param(query, "user");
  if (call.empty() || numbers.empty() || !IsConfiguredUser(user)) {
    return reply->Send(ProblemFor(
        Error::Invalid("a call's key press needs CallSid, ?incidents= and a configured ?user="),
        req));
  }
  const std::string digits = Param(*form, "Digits");
  if (digits != "1" && digits != "2") {
    return reply->Send(Twiml(TwimlGather("Press 1 to acknowledge. Press 2 to escalate.",
                                         options_.public_url + std::string(req.target), 10,
                                         "No key was pressed. Goodbye.")));
  }
  const bool ack = digits == "1";
  // One command per incident of the call; the answer once all of them are done.
  struct Pending {
    std::mutex mu;
    size_t left = 0;
    std::string said;
    Error failed{ErrorCode::kInternal, "", {}};
    bool storage_failed = false;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = numbers.size();
  std::string instance(req.path);
  for (int64_t number : numbers) {
    IncidentCommand command;
    command.type = ack ? IncidentCommand::Type::kAcknowledge : IncidentCommand::Type::kEscalate;
    command.incident_number = number;
    command.actor = "user:" + user;
    command.via = "voice";
    command.link_nonce = "twilio:" + call + ":" + std::to_string(number);
    incident_writes_.Execute(
        std::move(command), [reply, pending, ack, number, instance](Result<Incident> out) {
          std::lock_guard<std::mutex> lock(pending->mu);
          const std::string spoken = "incident " + std::to_string(number);
          if (out.ok()) {
            pending->said += (ack ? "Acknowledged " : "Escalated ") + spoken + ". ";
          } else if (out.error().code == ErrorCode::kConflict ||
                     out.error().code == ErrorCode::kNotFound) {
            if (out.error().message != kLinkAlreadyUsed) {
              pending->said += "Nothing done for " + spoken + ": " + out.error().message + ". ";
            }
          } else {
            pending->storage_failed = true;
            pending->failed = out.error();
          }
          if (--pending->left > 0) return;
          if (pending->storage_failed) {
            return reply->Send(ProblemFor(pending->failed, RequestAt(Method::kPost, instance)));
          }
          reply->Send(Twiml(TwimlSayAndHangUp(pending->said + "Goodbye.")));
        });
  }
}

void Api::TwilioStatus(const Request& req, const PathParams&, Reply reply) {
  std::optional<QueryParams> form = VerifyTwilio(req, reply);
  if (!form) return;
  // Messages report MessageStatus; calls CallStatus, and AnsweredBy with machine detection.
  std::string id = Param(*form, "MessageSid");
  std::string status = Param(*form, "MessageStatus");
  if (id.empty()) {
    id = Param(*form, "CallSid");
    status = Param(*form, "CallStatus");
    if (status == "completed" && AnsweredByMachine(Param(*form, "AnsweredBy"))) status = "machine";
  }
  if (id.empty() || status.empty()) {
    return reply->Send(ProblemFor(
        Error::Invalid("a status callback needs MessageSid and MessageStatus, or CallSid and "
                       "CallStatus"),
        req));
  }
  std::string instance(req.path);
  store_.RecordProviderStatus(
      std::move(id), std::move(status), [reply, instance](Result<int64_t> done) {
        if (!done.ok()) {
          return reply->Send(ProblemFor(done.error(), RequestAt(Method::kPost, instance)));
        }
        reply->Send(Twiml(TwimlMessage("")));
      });
}

}  // namespace loom::http
