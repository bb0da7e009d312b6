// What the files of SqlWriter share (sql_writer.cc and sql_writer_*.cc; no one else includes
// it): the prepared statements and the actor integrations write as.
#pragma once

#include <string>

#include "store/sql/db.h"
#include "store/sql/sql_writer.h"

namespace loom::sql {

// Every statement the writer runs, prepared once when the store opens.
struct SqlWriter::Statements {
  Statement* begin = nullptr;
  Statement* commit = nullptr;
  Statement* rollback = nullptr;
  Statement* savepoint = nullptr;
  Statement* release = nullptr;
  Statement* rollback_to = nullptr;
  Statement* max_numbers = nullptr;
  Statement* notify = nullptr;
  Statement* cluster_lock = nullptr;
  Statement* deadline_sequence = nullptr;
  Statement* outbox_sequence = nullptr;
  Statement* find_open = nullptr;
  Statement* find_open_head = nullptr;
  Statement* load_incident = nullptr;
  Statement* insert_incident = nullptr;
  Statement* update_incident = nullptr;
  Statement* update_incident_counters = nullptr;
  Statement* find_alert = nullptr;
  Statement* insert_alert = nullptr;
  Statement* update_alert = nullptr;
  Statement* bulk_alert_status = nullptr;
  Statement* find_grouped_member = nullptr;
  Statement* find_group = nullptr;
  Statement* find_active_elsewhere = nullptr;
  Statement* insert_event = nullptr;
  Statement* insert_two_events = nullptr;
  Statement* service_exists = nullptr;
  Statement* insert_service = nullptr;
  Statement* update_service = nullptr;
  Statement* find_key = nullptr;
  Statement* insert_key = nullptr;
  Statement* insert_token = nullptr;
  Statement* insert_change = nullptr;
};

// The timeline actor of what an integration of `service_id` did.
inline std::string IntegrationActor(const std::string& service_id) {
  return "integration:" + service_id;
}

}  // namespace loom::sql
