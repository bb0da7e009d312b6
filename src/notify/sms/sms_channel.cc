#include "notify/sms/sms_channel.h"

#include <algorithm>
#include <cctype>

#include "notify/channels.h"
#include "notify/notice_text.h"

namespace loom {
namespace {

constexpr size_t kMaxTitleBytes = 80;

std::string Upper(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) == 0) {
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

bool IsOneOf(const std::string& word, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string Line(const NoticeIncident& i) {
  std::string line =
      i.id + " " + SeverityLabel(i.severity) + " " + TruncateUtf8(i.title, kMaxTitleBytes);
  if (!i.service.empty()) line += " (" + i.service + ")";
  return line;
}

}  // namespace

std::string RenderSmsText(const Notice& notice) {
  std::string text = notice.summary;
  const bool page = notice.type == "page" || notice.type == "ticket" || notice.type == "bundle";
  if (notice.incidents.size() == 1) {
    const NoticeIncident& i = notice.incidents.front();
    text += ": " + Line(i) + ".";
    if (page) {
      const std::string n = std::to_string(i.number);
      text += " Reply " + n + "A to acknowledge, " + n + "E to escalate.";
    }
    return text;
  }
  if (notice.incidents.size() > 1) {
    text = std::to_string(notice.incidents.size()) + " new incidents: ";
    const size_t shown = std::min(notice.incidents.size(), kSmsMaxIncidents);
    for (size_t k = 0; k < shown; ++k) {
      if (k > 0) text += "; ";
      text += Line(notice.incidents[k]);
    }
    if (notice.incidents.size() > shown) {
      text += "; and " + std::to_string(notice.incidents.size() - shown) + " more";
    }
    text += ".";
    if (page) {
      const std::string n = std::to_string(notice.incidents.front().number);
      text += " Reply <number>A to acknowledge, <number>E to escalate (e.g. " + n + "A).";
    }
  }
  return text;
}

SmsReply ParseSmsReply(std::string_view body) {
  SmsReply reply;
  std::string word = Upper(body);
  if (IsOneOf(word, {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})) {
    reply.kind = SmsReply::Kind::kStop;
    return reply;
  }
  if (IsOneOf(word, {"START", "YES", "UNSTOP"})) {
    reply.kind = SmsReply::Kind::kStart;
    return reply;
  }
  if (IsOneOf(word, {"HELP", "INFO"})) {
    reply.kind = SmsReply::Kind::kHelp;
    return reply;
  }
  if (word.starts_with("INC-")) word.erase(0, 4);
  if (word.size() < 2 || word.size() > 19) return reply;
  const char action = word.back();
  word.pop_back();
  if (!std::all_of(word.begin(), word.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    return reply;
  }
  const int64_t number = std::stoll(word);
  if (number <= 0) return reply;
  if (action == 'A') {
    reply.kind = SmsReply::Kind::kAcknowledge;
  } else if (action == 'E') {
    reply.kind = SmsReply::Kind::kEscalate;
  } else {
    return reply;
  }
  reply.incident_number = number;
  return reply;
}

SmsChannel::SmsChannel(std::shared_ptr<const TwilioClient> client, SmsOptOutCheck opted_out)
    : client_(std::move(client)), opted_out_(std::move(opted_out)) {}

SendResult SmsChannel::Send(const Destination& to, const Notice& notice) {
  try {
    if (opted_out_) {
      Result<bool> out = opted_out_(to.address);
      if (!out.ok()) {
        SendResult retry;
        retry.error = "sms: cannot read the opt-outs: " + ShortPrintable(out.error().message);
        return retry;
      }
      if (*out) {
        SendResult stopped;
        stopped.outcome = SendResult::Outcome::kRejected;
        stopped.error = "the number replied STOP; it gets no SMS until it replies START";
        return stopped;
      }
    }
    const TwilioOptions& o = client_->options();
    FormParams params = {{"To", to.address}};
    if (!o.messaging_service_sid.empty()) {
      params.emplace_back("MessagingServiceSid", o.messaging_service_sid);
    } else {
      params.emplace_back("From", o.from);
    }
    params.emplace_back("Body", RenderSmsText(notice));
    if (!o.public_url.empty()) {
      params.emplace_back("StatusCallback", o.public_url + "/v1/providers/twilio/sms/status");
    }
    return client_->Post("Messages.json", params);
  } catch (const std::exception& e) {
    SendResult failed;
    failed.error = std::string("sms: ") + e.what();
    return failed;
  }
}

namespace {

Result<std::shared_ptr<Channel>> MakeSmsChannel(const ChannelSettings& settings) {
  if (!settings.twilio) return std::shared_ptr<Channel>();
  return std::shared_ptr<Channel>(
      std::make_shared<SmsChannel>(std::make_shared<TwilioClient>(*settings.twilio, settings.policy,
                                                                  settings.clock, settings.timeout),
                                   settings.sms_opted_out));
}

}  // namespace

const ChannelType kSmsChannelType = {
    .name = "sms",
    .address = ChannelAddress::kPhoneNumber,
    .provider = "twilio",
    .make = &MakeSmsChannel,
};

}  // namespace loom
