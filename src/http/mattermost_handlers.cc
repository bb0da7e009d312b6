// POST /v1/providers/mattermost/action (docs/api.md "Mattermost buttons"): a person pressed the
// Acknowledge button of one of our Mattermost posts (src/notify/mattermost/), and the Mattermost
// server calls back with {user_id, user_name, channel_id, post_id, context}. The call is not
// signed: the button's `context.secret` is the credential. Only a secret whose SHA-256 the store
// kept (store/message_action_store.h) acts; any other answers 403 and does nothing. A kept one
// acknowledges with the same command as the one-click link (link_handlers.cc UseLink): actor
// "user:<id>", via "mattermost", and the secret's hash as the link's single-use id, so a
// replayed press acts once at most. The acting person is the user the post went to; for an
// incident channel's post it is Mattermost's `user_name` mapped to a configured user
// (core/chat_user.h), and a name that maps to nobody is refused. The answer edits the post to
// show who acted and the new state (mattermost_message.h); refusals after a valid secret
// (expired, used, unknown person, the incident no longer triggered) answer 200 with an
// ephemeral text, which only the person who pressed sees. The secret never reaches a log line.

#include <spdlog/spdlog.h>

#include "common/crypto.h"
#include "core/chat_user.h"
#include "http/api.h"
#include "http/handler_util.h"
#include "notify/mattermost/mattermost_message.h"

namespace loom::http {
namespace {

constexpr char kVia[] = "mattermost";

Response Answer(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

Response Ephemeral(std::string_view text) { return Answer(RenderMattermostEphemeral(text)); }

// A string member of a JSON object, "" when absent or of another type.
std::string StringMember(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

NoticeIncident Shown(const Incident& incident, std::string open_url) {
  NoticeIncident shown;
  shown.number = incident.number;
  shown.id = incident.id();
  shown.title = incident.title;
  shown.severity = SeverityName(incident.severity);
  shown.kind = IncidentKindName(incident.kind);
  shown.service = incident.service_id;
  shown.state = IncidentStateName(incident.state);
  shown.open_url = std::move(open_url);
  return shown;
}

}  // namespace

void Api::MattermostAction(const Request& req, const PathParams&, Reply reply) {
  Result<nlohmann::json> body = ParseObjectBody(req.body, /*allow_empty=*/false);
  if (!body.ok()) return reply->Send(ProblemFor(body.error(), req));
  const nlohmann::json context = body->contains("context") ? (*body)["context"] : nlohmann::json();
  const std::string secret = StringMember(context, "secret");
  const Error forged = Error::PermissionDenied("not a button of ours");
  if (secret.empty()) return reply->Send(ProblemFor(forged, req));
  const std::string secret_hash = Sha256Hex(secret);
  Result<std::optional<MessageAction>> found = store_.FindMessageAction(secret_hash);
  if (!found.ok()) {
    LogRequestError(found.error(), req);
    return reply->Send(ProblemFor(Error::Unavailable("cannot read the button"), req));
  }
  if (!found->has_value() || (*found)->channel != kVia) {
    return reply->Send(ProblemFor(forged, req));
  }
  const MessageAction action = std::move(**found);
  const std::string incident_id = IncidentId(action.incident_number);
  if (action.expires_at <= clock_.Now()) {
    return reply->Send(
        Ephemeral("This button has expired: nothing was done. Open " + incident_id + " to act."));
  }

  // Who acts: the person paged, or in an incident channel the Mattermost user, if one of ours.
  std::string user_id = action.recipient;
  std::string name = action.recipient;
  const std::shared_ptr<const OnCallSnapshot> oncall = roster_ ? roster_->Current() : nullptr;
  if (action.recipient.starts_with("channel:")) {
    const std::string user_name = StringMember(*body, "user_name");
    const User* user = oncall ? FindUserByChatName(oncall->users, user_name) : nullptr;
    if (user == nullptr) {
      return reply->Send(Ephemeral("@" + user_name +
                                   " is not a loom-oncall user (a user's id or e-mail name must "
                                   "match the Mattermost username): nothing was done."));
    }
    user_id = user->id;
  }
  if (const User* user = oncall ? oncall->FindUser(user_id) : nullptr;
      user != nullptr && !user->name.empty()) {
    name = user->name;
  }

  IncidentCommand command;
  command.type = IncidentCommand::Type::kAcknowledge;
  command.incident_number = action.incident_number;
  command.actor = "user:" + user_id;
  command.via = kVia;
  command.link_nonce = std::string(kVia) + ":" + secret_hash;
  std::string open_url = StringMember(context, "open_url");
  if (!open_url.starts_with("https://") && !open_url.starts_with("http://")) open_url.clear();
  incident_writes_.Execute(
      std::move(command), [reply = std::move(reply), incident_id, name,
                           open_url = std::move(open_url)](Result<Incident> out) {
        if (out.ok()) {
          return reply->Send(Answer(RenderMattermostUpdate(
              Shown(*out, open_url), "**" + incident_id + " acknowledged by " + name + "**",
              "You acknowledged " + incident_id + ".")));
        }
        const Error& e = out.error();
        if (e.code == ErrorCode::kConflict && e.message == kLinkAlreadyUsed) {
          return reply->Send(Ephemeral("This button was already used: nothing was done."));
        }
        if (e.code == ErrorCode::kConflict || e.code == ErrorCode::kNotFound ||
            e.code == ErrorCode::kInvalidArgument) {
          return reply->Send(Ephemeral(e.message + ": nothing was done."));
        }
        const Request where = RequestAt(Method::kPost, kMattermostActionPath);
        reply->Send(ProblemFor(e, where));
      });
}

}  // namespace loom::http
