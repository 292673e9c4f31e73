-- Schema v6: the scope a crawl run lists (workspaces and start date), so a
-- failed full crawl is resumed only while the scope is the same.
ALTER TABLE crawl_runs ADD COLUMN scope TEXT NOT NULL DEFAULT '';
