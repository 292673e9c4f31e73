-- Schema v5: FTS5 merges a level once 16 segments stand on it, not 4. A
-- crawl adds a segment per batch; merging by fours rewrote the growing
-- index again and again (12% of a 200,000-call crawl). Searches read a few
-- more segments in exchange.
INSERT INTO call_fts (call_fts, rank) VALUES ('automerge', 16);
