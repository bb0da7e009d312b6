// The SQLite tables of the security playbook (src/core/security_playbook.h): checklist items,
// the security report, and the evidence locker (metadata in `evidence`, bytes once per SHA-256 in
// `evidence_contents`). Plain functions over a Connection, like link_tables.h: the writer runs
// the writes inside the command's savepoint, readers use a read connection.
//
// A security incident with no stored checklist rows has the template's checklist, all open; the
// rows are written (from the template) the first time an item changes, so later template
// changes in the configuration do not alter an incident's list once work on it began.
//
// Thread safety: as the Connection passed in (one thread at a time).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/security_playbook.h"
#include "store/sql/db.h"
#include "store/store.h"

namespace loom::sql {

// The checklist (stored rows, else `tpl`) and the report of incident `number`.
Result<SecurityPlaybookState> ReadPlaybookState(Connection& db, int64_t number,
                                                const std::vector<ChecklistItemSpec>& tpl);

// The incident's evidence, oldest first; with contents when `with_content`.
Result<std::vector<StoredEvidence>> ReadEvidence(Connection& db, int64_t number, bool with_content);

// REQUIRES (all three): inside a transaction on the write connection.
// Writes every item of `checklist` (position = index).
Status WriteChecklist(Connection& db, int64_t number, const std::vector<ChecklistItem>& checklist);
Status WriteSecurityReport(Connection& db, int64_t number, const SecurityReport& report);
// Stores `content` (once per SHA-256) and the artifact row; answers the row's id.
Result<int64_t> InsertEvidence(Connection& db, const EvidenceArtifact& artifact,
                               std::string_view content);

}  // namespace loom::sql
