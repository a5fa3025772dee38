// statements.hpp: the SQL text of the store's prepared statements (store.cpp), in one place
// so the parameter lists can be read beside each other. Every report-writing statement takes
// the same 24 report parameters ($1..$24, ReportRow order, see statements.cpp).
#pragma once

#include <string>

namespace tlsrpt::store::sql {

// Inserts a new report with its policies and failure details (ON CONFLICT DO NOTHING on the
// key). Rows: (id, inserted, same_content, authenticated) for the new row or the existing one.
extern const std::string insert_report;
// The existing row of a key committed after insert_report's snapshot: same row shape.
// $1 reporter, $2 report_id, $3 content, $4 start (Unix seconds).
extern const std::string existing_report;
// Locks a stored report: (authenticated, same_content). $1 id, $2 content.
extern const std::string lock_report;
// The same row unlocked, in a statement of its own: a writer's row security
// (012_writer_row_security.sql) keeps an authenticated row from lock_report. Same parameters.
extern const std::string read_report;
// Moves a stored report's copy into report_conflicts before it is replaced. $1 id, $2 reason.
extern const std::string keep_replaced_copy;
// Removes a stored report's policies (and, by cascade, failure details). $1 id.
extern const std::string delete_policies;
// Drops the conflict copy identical to the one that becomes the report. $1 id, $2 content.
extern const std::string drop_promoted_conflict;
// Overwrites report $25 (not authenticated) with the 24 parameters and inserts its policies
// and failure details. Rows: (id).
extern const std::string replace_report;
// A different later copy of a stored report (002_report_conflicts.sql), kept once.
extern const std::string keep_conflict;
// A message no report could be read from, kept once (by md5 of its identity, headers.hpp
// without_leading_trace). Rows: (id, fresh). $1 source, $2 reason, $3 message_id,
// $4 mail_from, $5 subject, $6 raw, $7 identity.
extern const std::string quarantine;
// Counts one more temporary failure of a message (and forgets week-old ones). Rows:
// (attempts, age in seconds). $1 identity, $2 error.
extern const std::string record_attempt;

// Makes the partitions of the month of day $1 (009_partitioning.sql). Rows: (result).
extern const std::string ensure_partition;

} // namespace tlsrpt::store::sql
