// Store: the durable state of loom-oncall (SQLite or PostgreSQL), as the roles its users take:
//
//   IncidentStore  (incident_store.h)  alerts in, commands, timeline events, incident reads
//   DeadlineStore  (deadline_store.h)  the escalation engine's deadlines
//   OutboxStore    (outbox_store.h)    delivery's outbox rows and destinations
//   OnCallStore    (oncall_store.h)    schedule overrides, configured users
//   RecordsStore   (records_store.h)   evidence, security playbook, summaries, follow-ups, reviews
//   AdminStore     (admin_store.h)     services, keys, tokens, settings, stats, audit
//   AccountStore   (account_store.h)   people who sign in: passwords, resets, sessions
//   MessageActionStore (message_action_store.h) the secrets of chat buttons calling back to us
//   ClusterStore   (cluster_store.h)   leadership across instances, writable, shutdown
//   HeartbeatStore (heartbeat_store.h) heartbeats, their pings and expiry
//   PushStore      (push_store.h)      Pushover receipts and Telegram messages of pages
//   MaintenanceStore (maintenance_store.h) maintenance windows
//   ContactStore   (contact_store.h)   contact methods people add, their notification rules
//
// Store is all of them at once: what the back end (store/sql/sql_store.h) implements and the
// wiring holds. Code that needs one role takes that role, not Store. How writes are answered
// and what reads see: store/callback.h.
#pragma once

#include "store/account_store.h"
#include "store/admin_store.h"
#include "store/callback.h"
#include "store/cluster_store.h"
#include "store/contact_store.h"
#include "store/deadline_store.h"
#include "store/heartbeat_store.h"
#include "store/incident_store.h"
#include "store/maintenance_store.h"
#include "store/message_action_store.h"
#include "store/oncall_store.h"
#include "store/outbox_store.h"
#include "store/push_store.h"
#include "store/records_store.h"

namespace loom {

class Store : public IncidentStore,
              public DeadlineStore,
              public OutboxStore,
              public OnCallStore,
              public RecordsStore,
              public AdminStore,
              public AccountStore,
              public ClusterStore,
              public HeartbeatStore,
              public PushStore,
              public MessageActionStore,
              public MaintenanceStore,
              public ContactStore {
 public:
  ~Store() override = default;
};

}  // namespace loom
