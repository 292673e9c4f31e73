-- Schema v3: ApplyBatch writes call_fts itself. An INSERT or UPDATE with a
-- trigger runs in a statement savepoint, and FTS5 flushes its pending terms
-- to a new segment at every savepoint: one segment per call, then endless
-- merging. Without the triggers a batch flushes once, at commit.
-- Deletes keep their trigger: they delete many calls in one statement.
DROP TRIGGER calls_fts_insert;
DROP TRIGGER calls_fts_update;
