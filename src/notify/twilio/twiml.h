// TwiML, the XML Twilio reads for what to do next: the answer to an SMS reply (a <Message>), and
// what a call says and which key it waits for (<Say>, <Gather>, <Hangup/>).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace loom {

// `text` with &, <, >, " and ' as XML entities (&amp; &lt; &gt; &quot; &#39;).
std::string XmlEscape(std::string_view text);

// A MessagingResponse answering an SMS with `text`; with "" an empty <Response/> (no answer).
std::string TwimlMessage(std::string_view text);

// Says `text`, then hangs up.
std::string TwimlSayAndHangUp(std::string_view text);

// Says `text` while waiting for one key, which is POSTed to `action` (an absolute URL); when no
// key comes within `timeout_seconds`, says `no_key` and hangs up.
std::string TwimlGather(std::string_view text, std::string_view action, int timeout_seconds,
                        std::string_view no_key);

}  // namespace loom
