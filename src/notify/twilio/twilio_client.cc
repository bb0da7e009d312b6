#include "notify/twilio/twilio_client.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "common/crypto.h"
#include "notify/vendor_api.h"

namespace loom {
namespace {

bool Unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
}

}  // namespace

std::string FormEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (Unreserved(c)) {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string FormEncode(const FormParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += FormEscape(name) + "=" + FormEscape(value);
  }
  return out;
}

SendResult ClassifyTwilioResponse(const HttpResponse& response) {
  SendResult result;
  const int status = response.status;
  result.status = status;
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) body = nlohmann::json::object();
  if (status == 200 || status == 201) {
    if (auto sid = body.find("sid"); sid != body.end() && sid->is_string()) {
      result.outcome = SendResult::Outcome::kDelivered;
      result.provider_id = ShortPrintable(sid->get<std::string>(), 64);
      return result;
    }
    result.outcome = SendResult::Outcome::kRetry;
    result.error = "unexpected answer: no sid";
    return result;
  }
  // Twilio's error body: {code, message, more_info, status}.
  std::string error;
  if (auto code = body.find("code"); code != body.end() && code->is_number_integer()) {
    error = std::to_string(code->get<int64_t>()) + " ";
  }
  if (auto message = body.find("message"); message != body.end() && message->is_string()) {
    error += message->get<std::string>();
  }
  return ClassifyVendorAnswer(response, /*accepted=*/false, ShortPrintable(error), {});
}

TwilioClient::TwilioClient(TwilioOptions options, OutboundPolicy policy, Clock& clock,
                           Duration timeout)
    : options_(std::move(options)), policy_(std::move(policy)), clock_(clock), timeout_(timeout) {}

SendResult TwilioClient::Post(std::string_view resource, const FormParams& params) const {
  return GuardSend("twilio", [&] {
    HttpRequest request;
    request.url =
        options_.api_url + "/Accounts/" + options_.account_sid + "/" + std::string(resource);
    request.timeout = timeout_;
    request.body = FormEncode(params);
    request.headers = {
        "Content-Type: application/x-www-form-urlencoded",
        "Accept: application/json",
        "User-Agent: loom-oncall",
        "Authorization: Basic " + Base64Encode(options_.account_sid + ":" + options_.auth_token),
    };
    return PostToVendor(policy_, request, clock_.Now(), ClassifyTwilioResponse);
  });
}

}  // namespace loom
