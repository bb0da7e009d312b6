#include "common/crypto.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

TEST(Crypto, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacMatchesRfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Base64AndRandom) {
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  std::string a = RandomHex(16), b = RandomHex(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

TEST(Crypto, Base64UrlMatchesRfc4648Vectors) {
  // RFC 4648 section 10, without padding.
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64UrlEncode(plain), encoded);
    EXPECT_EQ(Base64UrlDecode(encoded), std::optional<std::string>(plain)) << encoded;
  }
  // The URL-safe alphabet: 0xfb 0xff 0xbf is "+/+/" in base64, "-_-_" in base64url.
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_"), std::optional<std::string>("\xfb\xff\xbf"));
}

TEST(Crypto, Base64UrlDecodeRejectsWhatEncodeNeverProduces) {
  EXPECT_EQ(Base64UrlDecode("Zm9v+"), std::nullopt);  // standard alphabet
  EXPECT_EQ(Base64UrlDecode("Zm8="), std::nullopt);   // padding
  EXPECT_EQ(Base64UrlDecode("Zm9vY"), std::nullopt);  // impossible length
  EXPECT_EQ(Base64UrlDecode("Zm9"), std::nullopt);    // non-zero trailing bits
  EXPECT_EQ(Base64UrlDecode("Zm 9v"), std::nullopt);  // whitespace
  const std::string binary(std::string("\0\x01\xfe\xff", 4));
  EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(binary)), std::optional<std::string>(binary));
}

TEST(Crypto, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secrets"));
}

}  // namespace
}  // namespace loom
