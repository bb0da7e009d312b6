#include "notify/webhook/webhook_channel.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "common/time_format.h"
#include "notify/channels.h"

namespace loom {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";

nlohmann::json StringOrNull(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::optional<std::string> Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = Base64Value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

Result<std::string> WebhookSigningKey(std::string_view secret) {
  if (secret.empty()) return Error::Invalid("empty webhook secret");
  if (!secret.starts_with(kSecretPrefix)) return std::string(secret);
  auto key = Base64Decode(secret.substr(kSecretPrefix.size()));
  if (!key || key->empty())
    return Error::Invalid("webhook secret: whsec_ is not followed by base64");
  return *std::move(key);
}

Result<std::string> WebhookSignature(const std::vector<std::string>& secrets, std::string_view id,
                                     int64_t timestamp, std::string_view body) {
  std::string signed_content;
  signed_content.reserve(id.size() + body.size() + 24);
  signed_content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  std::string header;
  for (const std::string& secret : secrets) {
    auto key = WebhookSigningKey(secret);
    if (!key.ok()) return std::move(key).error();
    if (!header.empty()) header += ' ';
    header += "v1," + Base64Encode(HmacSha256(*key, signed_content));
  }
  if (header.empty()) return Error::Invalid("webhook destination has no signing secret");
  return header;
}

std::string RenderWebhookBody(const Notice& notice) {
  nlohmann::json incidents = nlohmann::json::array();
  for (const NoticeIncident& i : notice.incidents) {
    incidents.push_back({
        {"number", i.number},
        {"id", i.id},
        {"title", i.title},
        {"severity", i.severity},
        {"kind", i.kind},
        {"service", i.service},
        {"state", i.state},
        {"ack_url", StringOrNull(i.ack_url)},
        {"open_url", StringOrNull(i.open_url)},
        {"drill", i.drill},
    });
  }
  const bool drill = std::any_of(notice.incidents.begin(), notice.incidents.end(),
                                 [](const NoticeIncident& i) { return i.drill; });
  bool channel = notice.recipient.starts_with("channel:");
  nlohmann::json body = {
      {"schema", "loom-oncall.notification/v1"},
      {"id", notice.id},
      {"type", notice.type},
      {"created_at", FormatRfc3339(notice.created_at)},
      {"recipient",
       {
           {"kind", channel ? "channel" : "user"},
           {"id", notice.recipient},
           {"name", StringOrNull(notice.recipient_name)},
           {"role", StringOrNull(notice.role)},
       }},
      {"summary", notice.summary},
      {"detail", StringOrNull(notice.detail)},
      {"incidents", std::move(incidents)},
      {"bundled", notice.bundled},
      {"drill", drill},
  };
  // Replace invalid UTF-8 instead of throwing: titles come from alert payloads.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

SendResult ClassifyWebhookResponse(const HttpResponse& response) {
  SendResult result;
  result.status = response.status;
  // Only the status: a receiver's body may echo our request, and that holds one-click links.
  result.error = "HTTP " + std::to_string(response.status);
  if (response.status >= 200 && response.status < 300) {
    result.outcome = SendResult::Outcome::kDelivered;
    result.error.clear();
  } else if (response.status == 410) {
    result.outcome = SendResult::Outcome::kGone;
  } else {
    // 429, 408, 5xx and, by choice (see the header), every other status.
    result.outcome = SendResult::Outcome::kRetry;
    if (response.status == 429 || response.status == 503) result.retry_after = response.retry_after;
  }
  return result;
}

WebhookChannel::WebhookChannel(OutboundPolicy policy, Clock& clock, Duration timeout)
    : policy_(std::move(policy)), clock_(clock), timeout_(timeout) {}

SendResult WebhookChannel::Send(const Destination& to, const Notice& notice) {
  try {
    const TimePoint now = clock_.Now();
    const int64_t timestamp =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    // The id goes into a header: a control character would split it.
    bool id_ok = !notice.id.empty() && std::all_of(notice.id.begin(), notice.id.end(),
                                                   [](char c) { return c > 0x20 && c < 0x7f; });
    if (!id_ok) {
      SendResult rejected;
      rejected.outcome = SendResult::Outcome::kRejected;
      rejected.error = "notice id is not a printable token";
      return rejected;
    }
    HttpRequest request;
    request.url = to.address;
    request.timeout = timeout_;
    request.body = RenderWebhookBody(notice);
    request.headers = {
        "Content-Type: application/json",
        "User-Agent: loom-oncall",
        "webhook-id: " + notice.id,
        "webhook-timestamp: " + std::to_string(timestamp),
    };
    // A destination configured without `secret_env` gets the same request, unsigned.
    if (!to.secrets.empty()) {
      auto signature = WebhookSignature(to.secrets, notice.id, timestamp, request.body);
      if (!signature.ok()) {
        SendResult rejected;
        rejected.outcome = SendResult::Outcome::kRejected;
        rejected.error = signature.error().message;
        return rejected;
      }
      request.headers.push_back("webhook-signature: " + *signature);
    }
    HttpResponse response = HttpPost(policy_, request, now);
    if (response.transport != HttpResponse::Transport::kCompleted)
      return TransportFailure(response);
    return ClassifyWebhookResponse(response);
  } catch (const std::exception& e) {
    // Only allocation failures can get here; Send must not throw into the worker.
    SendResult failed;
    failed.error = std::string("webhook: ") + e.what();
    return failed;
  }
}

namespace {

Result<std::shared_ptr<Channel>> MakeWebhookChannel(const ChannelSettings& settings) {
  return std::shared_ptr<Channel>(
      std::make_shared<WebhookChannel>(settings.policy, settings.clock, settings.timeout));
}

}  // namespace

const ChannelType kWebhookChannelType = {
    .name = "webhook",
    .address = ChannelAddress::kUrl,
    .signs = true,
    .incident_channel = true,
    .make = &MakeWebhookChannel,
};

}  // namespace loom
