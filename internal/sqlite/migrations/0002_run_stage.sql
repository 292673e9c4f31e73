-- Schema v2: the listing stage of a crawl run that lists several workspaces
-- one after another; an index for calls still waiting for their AI content.
ALTER TABLE crawl_runs ADD COLUMN stage INTEGER NOT NULL DEFAULT 0;
CREATE INDEX calls_incomplete ON calls (started) WHERE has_content = 0;
