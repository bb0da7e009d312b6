#include "notify/twilio/twiml.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

TEST(TwimlTest, MessageEscapesItsText) {
  EXPECT_EQ(TwimlMessage("INC-4 <ack> & \"done\""),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>INC-4 &lt;ack&gt; "
            "&amp; &quot;done&quot;</Message></Response>");
  EXPECT_EQ(TwimlMessage(""), "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
}

TEST(TwimlTest, GatherPostsOneKeyToTheAction) {
  EXPECT_EQ(TwimlGather("Press 1", "https://x.example/v?a=1&b=2", 10, "Bye"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Gather numDigits=\"1\" "
            "action=\"https://x.example/v?a=1&amp;b=2\" method=\"POST\" timeout=\"10\"><Say>Press "
            "1</Say></Gather><Say>Bye</Say><Hangup/></Response>");
  EXPECT_EQ(TwimlSayAndHangUp("Done."),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>Done.</Say><Hangup/>"
            "</Response>");
}

}  // namespace
}  // namespace loom
