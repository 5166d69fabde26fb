-- Porter schema version 18 (issue 13): the index the queue's scan for due mail can use. The scan asks for
-- "held = 0 AND next_attempt_at <= now ORDER BY next_attempt_at, id" and reads as many rows as it needs;
-- V1's index on (status, next_attempt_at) did not fit that question (no query asks by status), so Derby read
-- and sorted every entry of the queue at each scan - and a busy queue is scanned at every batch a delivery
-- session finishes. On (held, next_attempt_at, id) the scan reads the due entries in order and stops early;
-- it also answers "when is the next entry due" (MIN(next_attempt_at) WHERE held = 0). Still one index.

DROP INDEX queue_entries_due;
CREATE INDEX queue_entries_due ON queue_entries (held, next_attempt_at, id);
