#include "notify/twilio/twiml.h"

#include "common/html.h"

namespace loom {
namespace {

constexpr char kProlog[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

}  // namespace

std::string XmlEscape(std::string_view text) {
  // HTML's five entities are XML's too (&#39; for the apostrophe).
  return EscapeHtml(text, /*quotes=*/true);
}

std::string TwimlMessage(std::string_view text) {
  if (text.empty()) return std::string(kProlog) + "<Response/>";
  return std::string(kProlog) + "<Response><Message>" + XmlEscape(text) + "</Message></Response>";
}

std::string TwimlSayAndHangUp(std::string_view text) {
  return std::string(kProlog) + "<Response><Say>" + XmlEscape(text) + "</Say><Hangup/></Response>";
}

std::string TwimlGather(std::string_view text, std::string_view action, int timeout_seconds,
                        std::string_view no_key) {
  return std::string(kProlog) + "<Response><Gather numDigits=\"1\" action=\"" + XmlEscape(action) +
         "\" method=\"POST\" timeout=\"" + std::to_string(timeout_seconds) + "\"><Say>" +
         XmlEscape(text) + "</Say></Gather><Say>" + XmlEscape(no_key) +
         "</Say><Hangup/></Response>";
}

}  // namespace loom
