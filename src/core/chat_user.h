// Who a chat account is among the configured users, for chat buttons pressed in a shared channel
// (Mattermost's `user_name`, src/http/mattermost_handlers.cc): the acting person must be a user
// of ours, or nothing is done.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/user.h"

namespace loom {

// The user whose id equals `name` (a leading '@' ignored, letters compared case-insensitively);
// else the one user whose e-mail's local part (before '@') equals it. nullptr when there is no
// such user, or when several users' e-mails share that local part (ambiguous: nobody).
const User* FindUserByChatName(const std::map<std::string, User>& users, std::string_view name);

}  // namespace loom
