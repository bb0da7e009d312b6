// A minimal incremental parser of one HTTP/1.1 response (status line, Content-Length or chunked
// body, Connection: close), cheap enough for a load generator that shares the CPU with the server
// under test.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace loom::bench {

struct ResponseParser {
  enum class State { kNeedMore, kDone, kBad };
  int status = 0;
  bool close = false;  // the server closes the connection after this response
  std::string body;

  // Parses from the front of `buf`; on kDone, `consumed` is the response's length in `buf`.
  State Parse(std::string_view buf, size_t* consumed);
};

}  // namespace loom::bench
