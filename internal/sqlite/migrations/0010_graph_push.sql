-- Schema v10: what has been pushed to Microsoft 365 (an external connection
-- of Microsoft Graph), so that a push sends only what changed and a killed
-- push resumes where it stopped.

-- One row per call pushed as an external item. source is what the item was
-- built from: the push's version (schema and ACL form), the call's content
-- hash (which covers its workspace and participants, hence its ACL) and its
-- workspace's name. A call whose source differs is pushed again.
CREATE TABLE graph_items (
    id        TEXT    PRIMARY KEY,
    source    TEXT    NOT NULL,
    pushed_at INTEGER NOT NULL -- unix seconds
) WITHOUT ROWID;

-- External groups created in the connection.
CREATE TABLE graph_groups (
    id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Their members (Entra object ids) as the connection has them.
CREATE TABLE graph_members (
    group_id  TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
