-- Schema v11: the calls to push to Microsoft 365, kept by triggers, so
-- that a push reads what changed instead of every call (comparing every
-- call's content hash took 6 s at a million calls, and finding who took
-- part in calls of which workspace 21 s).

-- A call inserted, changed (content, workspace) or deleted since the last
-- push. seq grows at each change: a push removes a row only if the call
-- did not change again while it was pushed.
CREATE TABLE graph_queue (
    id  TEXT    PRIMARY KEY,
    seq INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TRIGGER calls_push_insert AFTER INSERT ON calls BEGIN
    INSERT INTO graph_queue (id) VALUES (new.id) ON CONFLICT (id) DO UPDATE SET seq = seq + 1;
END;

CREATE TRIGGER calls_push_update AFTER UPDATE OF id, content_hash, workspace_id ON calls
WHEN old.id IS NOT new.id OR old.content_hash IS NOT new.content_hash OR old.workspace_id IS NOT new.workspace_id BEGIN
    INSERT INTO graph_queue (id) VALUES (old.id) ON CONFLICT (id) DO UPDATE SET seq = seq + 1;
    INSERT INTO graph_queue (id) VALUES (new.id) ON CONFLICT (id) DO UPDATE SET seq = seq + 1;
END;

CREATE TRIGGER calls_push_delete AFTER DELETE ON calls BEGIN
    INSERT INTO graph_queue (id) VALUES (old.id) ON CONFLICT (id) DO UPDATE SET seq = seq + 1;
END;

-- Every (workspace, participant key) of the calls pushed: the participant
-- groups items may grant. Kept as calls are pushed; a pair whose last
-- call is gone stays, and its group grants nothing.
CREATE TABLE graph_pairs (
    workspace_id TEXT NOT NULL,
    key          TEXT NOT NULL,
    PRIMARY KEY (workspace_id, key)
) WITHOUT ROWID;

-- Calls already indexed are to push.
INSERT INTO graph_queue (id) SELECT id FROM calls WHERE true ON CONFLICT (id) DO NOTHING;
