// SqlStore (sql_store_impl.h): the MessageActionStore role (store/message_action_store.h), over
// the message_actions table (schema.cc, version 17).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error_context.h"
#include "store/sql/sql_store_impl.h"

namespace loom::sql {
namespace {

// A kept action is removed this long after it expired.
constexpr Duration kKeepExpired = std::chrono::hours(24);

Result<int64_t> InsertMessageActions(Connection& db, const std::vector<MessageAction>& actions) {
  if (actions.empty()) return int64_t{0};
  {
    Result<Statement*> prune = db.Prepare("DELETE FROM message_actions WHERE expires_at < ?1");
    if (!prune.ok()) return std::move(prune).error();
    Query q(*prune);
    q.Bind(1, actions.front().created_at - kKeepExpired);
    LOOM_RETURN_IF_ERROR(q.Run());
  }
  Result<Statement*> stmt = db.Prepare(
      "INSERT INTO message_actions(secret_hash, channel, incident_number, recipient, notice_id,"
      " created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!stmt.ok()) return std::move(stmt).error();
  int64_t added = 0;
  for (const MessageAction& a : actions) {
    if (a.secret_hash.empty()) return Error::Invalid("a message action needs its secret's hash");
    Query q(*stmt);
    q.Bind(1, a.secret_hash);
    q.Bind(2, a.channel);
    q.Bind(3, a.incident_number);
    q.Bind(4, a.recipient);
    q.Bind(5, a.notice_id);
    q.Bind(6, a.created_at);
    q.Bind(7, a.expires_at);
    LOOM_RETURN_IF_ERROR(q.Run());
    ++added;
  }
  return added;
}

}  // namespace

void SqlStore::SaveMessageActions(std::vector<MessageAction> actions, Callback<int64_t> done) {
  Submit<int64_t>(
      [this, actions = std::move(actions)] {
        return InsertMessageActions(writer_->connection(), actions);
      },
      std::move(done));
}

Result<std::optional<MessageAction>> SqlStore::FindMessageAction(const std::string& secret_hash) {
  auto conn = readers_.Acquire();
  Result<std::vector<MessageAction>> rows = ReadRows<MessageAction>(
      *conn,
      "SELECT secret_hash, channel, incident_number, recipient, notice_id, created_at, expires_at"
      " FROM message_actions WHERE secret_hash = ?1",
      secret_hash, [](const Query& q, MessageAction* a) {
        a->secret_hash = q.Text(0);
        a->channel = q.Text(1);
        a->incident_number = q.Int(2);
        a->recipient = q.Text(3);
        a->notice_id = q.Text(4);
        a->created_at = q.Time(5);
        a->expires_at = q.Time(6);
      });
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<MessageAction>();
  return std::optional<MessageAction>(std::move(rows->front()));
}

}  // namespace loom::sql
