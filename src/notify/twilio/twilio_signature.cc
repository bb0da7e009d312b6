#include "notify/twilio/twilio_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "common/crypto.h"

namespace loom {

std::string TwilioSignature(std::string_view auth_token, std::string_view url, FormParams params) {
  // Sorted by name; a name given twice keeps its values in the order they came (stable).
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string data(url);
  for (const auto& [name, value] : params) {
    data += name;
    data += value;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

bool VerifyTwilioSignature(std::string_view auth_token, std::string_view signature,
                           std::string_view url, const FormParams& params) {
  if (auth_token.empty() || signature.empty()) return false;
  return ConstantTimeEquals(TwilioSignature(auth_token, url, params), signature);
}

}  // namespace loom
