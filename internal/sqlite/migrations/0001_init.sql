-- Schema v1: calls and their full-text index, crawl bookkeeping, the
-- permission snapshot and small settings.

-- Marks the file as a gongconnector index ("GONG" in ASCII).
PRAGMA application_id = 1196379719;

CREATE TABLE calls (
    rowid           INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL UNIQUE CHECK (length(id) > 0),
    workspace_id    TEXT    NOT NULL DEFAULT '',
    title           TEXT    NOT NULL DEFAULT '',
    url             TEXT    NOT NULL DEFAULT '',
    started         INTEGER NOT NULL DEFAULT 0, -- unix seconds
    duration_sec    INTEGER NOT NULL DEFAULT 0,
    primary_user_id TEXT    NOT NULL DEFAULT '',
    direction       TEXT    NOT NULL DEFAULT '',
    scope           TEXT    NOT NULL DEFAULT '',
    system          TEXT    NOT NULL DEFAULT '',
    language        TEXT    NOT NULL DEFAULT '',
    media           TEXT    NOT NULL DEFAULT '',
    purpose         TEXT    NOT NULL DEFAULT '',
    -- Searchable text, one list item per line; indexed by call_fts.
    accounts        TEXT    NOT NULL DEFAULT '',
    deals           TEXT    NOT NULL DEFAULT '',
    people          TEXT    NOT NULL DEFAULT '', -- name, title, email: three lines per party
    brief           TEXT    NOT NULL DEFAULT '',
    key_points      TEXT    NOT NULL DEFAULT '',
    action_items    TEXT    NOT NULL DEFAULT '',
    topics          TEXT    NOT NULL DEFAULT '',
    trackers        TEXT    NOT NULL DEFAULT '',
    -- JSON of the structured rest of the call; text already in the columns
    -- above is left out of it.
    detail          BLOB,
    content_hash    TEXT    NOT NULL DEFAULT '',
    has_content     INTEGER NOT NULL DEFAULT 0,
    last_seen_run   INTEGER NOT NULL DEFAULT 0,
    indexed_at      INTEGER NOT NULL DEFAULT 0 -- unix seconds
);
CREATE INDEX calls_started ON calls (started);
CREATE INDEX calls_workspace_started ON calls (workspace_id, started);
CREATE INDEX calls_last_seen_run ON calls (last_seen_run);

-- External content: the text lives once, in calls.
CREATE VIRTUAL TABLE call_fts USING fts5 (
    title, accounts, deals, people, brief, key_points, action_items, topics, trackers,
    content = 'calls',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN
    INSERT INTO call_fts (rowid, title, accounts, deals, people, brief, key_points, action_items, topics, trackers)
    VALUES (new.rowid, new.title, new.accounts, new.deals, new.people, new.brief, new.key_points, new.action_items, new.topics, new.trackers);
END;

CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
    INSERT INTO call_fts (call_fts, rowid, title, accounts, deals, people, brief, key_points, action_items, topics, trackers)
    VALUES ('delete', old.rowid, old.title, old.accounts, old.deals, old.people, old.brief, old.key_points, old.action_items, old.topics, old.trackers);
    DELETE FROM call_participants WHERE call_rowid = old.rowid;
END;

-- Only a change of indexed text touches the index, so marking a call as seen is cheap.
CREATE TRIGGER calls_fts_update AFTER UPDATE OF title, accounts, deals, people, brief, key_points, action_items, topics, trackers ON calls BEGIN
    INSERT INTO call_fts (call_fts, rowid, title, accounts, deals, people, brief, key_points, action_items, topics, trackers)
    VALUES ('delete', old.rowid, old.title, old.accounts, old.deals, old.people, old.brief, old.key_points, old.action_items, old.topics, old.trackers);
    INSERT INTO call_fts (rowid, title, accounts, deals, people, brief, key_points, action_items, topics, trackers)
    VALUES (new.rowid, new.title, new.accounts, new.deals, new.people, new.brief, new.key_points, new.action_items, new.topics, new.trackers);
END;

-- Who took part in a call: 'u:<gong user id>' and 'e:<lower-cased email>'.
CREATE TABLE call_participants (
    participant TEXT    NOT NULL,
    call_rowid  INTEGER NOT NULL,
    PRIMARY KEY (participant, call_rowid)
) WITHOUT ROWID;
CREATE INDEX call_participants_call ON call_participants (call_rowid);

CREATE TABLE crawl_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    started      INTEGER,           -- unix nanoseconds; NULL for the zero time
    finished     INTEGER,
    seen         INTEGER NOT NULL DEFAULT 0,
    added        INTEGER NOT NULL DEFAULT 0,
    updated      INTEGER NOT NULL DEFAULT 0,
    deleted      INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    api_requests INTEGER NOT NULL DEFAULT 0,
    rate_limited INTEGER NOT NULL DEFAULT 0,
    errors       INTEGER NOT NULL DEFAULT 0,
    message      TEXT    NOT NULL DEFAULT '',
    checkpoint   INTEGER,
    window_from  INTEGER,
    window_to    INTEGER
);
CREATE INDEX crawl_runs_kind ON crawl_runs (kind, id);
CREATE INDEX crawl_runs_status ON crawl_runs (status, id);

-- Gong API requests per UTC day ('YYYY-MM-DD').
CREATE TABLE api_usage (
    day          TEXT    PRIMARY KEY,
    requests     INTEGER NOT NULL DEFAULT 0,
    rate_limited INTEGER NOT NULL DEFAULT 0
);

-- The permission snapshot, replaced as a whole.
CREATE TABLE workspaces (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
    id         TEXT    PRIMARY KEY,
    email      TEXT    NOT NULL DEFAULT '',
    aliases    TEXT    NOT NULL DEFAULT '[]', -- JSON array
    first_name TEXT    NOT NULL DEFAULT '',
    last_name  TEXT    NOT NULL DEFAULT '',
    title      TEXT    NOT NULL DEFAULT '',
    manager_id TEXT    NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX users_manager ON users (manager_id);

CREATE TABLE profiles (
    id            TEXT PRIMARY KEY,
    workspace_id  TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL DEFAULT '',
    calls_level   TEXT NOT NULL DEFAULT '',
    team_lead_ids TEXT NOT NULL DEFAULT '[]' -- JSON array
);
CREATE INDEX profiles_workspace ON profiles (workspace_id);

CREATE TABLE profile_members (
    profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL,
    PRIMARY KEY (profile_id, user_id)
);
CREATE INDEX profile_members_user ON profile_members (user_id);

CREATE TABLE snapshot_meta (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    taken INTEGER NOT NULL -- unix nanoseconds
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
