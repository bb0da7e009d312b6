// The X-Twilio-Signature of Twilio's webhooks (SMS replies, call key presses, status callbacks):
// base64 of HMAC-SHA1 under the account's Auth Token over the full URL Twilio called (scheme,
// host, path, query) followed by every POST parameter's name and value, concatenated in sorted
// name order. The URL is the public one (server.public_url + path), never the local address.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loom {

using FormParams = std::vector<std::pair<std::string, std::string>>;

// The signature Twilio sends for a POST of `params` to `url`.
std::string TwilioSignature(std::string_view auth_token, std::string_view url, FormParams params);

// True when `signature` is the signature of (url, params); compared in constant time. An empty
// signature or token never matches.
bool VerifyTwilioSignature(std::string_view auth_token, std::string_view signature,
                           std::string_view url, const FormParams& params);

}  // namespace loom
