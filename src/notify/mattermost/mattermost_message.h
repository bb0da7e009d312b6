// The JSON Mattermost reads from us: the incoming-webhook post of a notice (with an
// "Acknowledge" interactive button per incident that may be acknowledged) and the answer to a
// button press that edits that post (src/http/mattermost_handlers.cc).
//
// A post is {"username": "loom-oncall", "text": "**summary**\ndetail", "attachments": [...]}:
// one attachment per incident (at most kMattermostMaxIncidents, then "and N more" in the text)
// with the incident as its title (linked to the read-only incident page), its facts as fields
// (Severity, Service, State), a colour by state, a footer, and — when it carries a secret — one
// button whose integration is {"url": <public_url>/v1/providers/mattermost/action, "context":
// {"action": "acknowledge", "secret": ..., "incident": "INC-12", "open_url": ...}}. Mattermost
// sends the context back unchanged when the button is pressed. Text is Markdown-escaped.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "notify/channel.h"

namespace loom {

inline constexpr size_t kMattermostMaxIncidents = 10;
// The path of the button callback under the public URL.
inline constexpr std::string_view kMattermostActionPath = "/v1/providers/mattermost/action";

// The webhook body of `notice`. `secrets[i]` is the button secret of notice.incidents[i] ("" or
// missing: no button); `callback_url` the buttons' integration URL.
std::string RenderMattermostPost(const Notice& notice, const std::vector<std::string>& secrets,
                                 std::string_view callback_url);

// The answer to a button press: {"update": {"message": <message>, "props": {"attachments":
// [<incident, without a button>]}}, "ephemeral_text": <ephemeral>} — the post then shows
// `message` and the incident as it is now; only the person who pressed sees `ephemeral`.
std::string RenderMattermostUpdate(const NoticeIncident& incident, std::string_view message,
                                   std::string_view ephemeral);

// {"ephemeral_text": <text>}: an answer that leaves the post as it is.
std::string RenderMattermostEphemeral(std::string_view text);

}  // namespace loom
