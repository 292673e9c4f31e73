-- Schema v9: the full-text index's vocabulary, one row per distinct term.
-- A prefix query ("integr*") is rewritten as the terms it completes to,
-- read from here: FTS5 answers a prefix by merging the whole doclist of
-- every completion before returning its first row (~150 ms for a prefix
-- in half of a million calls), where an OR of the same terms is read
-- lazily, newest first, and stops after the rows a search needs. The
-- table stores nothing: FTS5 reads it from the index.
CREATE VIRTUAL TABLE call_vocab USING fts5vocab(call_fts, row);
