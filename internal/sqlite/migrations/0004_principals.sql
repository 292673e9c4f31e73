-- Schema v4: participants by integer principal, in one B-tree.
-- A call has about seven participant keys ('u:<gong user id>', 'e:<email>');
-- as text keys in a table plus an index by call they cost a third of a
-- crawl's write time. Keys now live once in principals, the pairs are two
-- integers, and each call keeps the ids of its principals, so that replacing
-- or deleting a call removes exactly its pairs by primary key.
CREATE TABLE principals (
    id  INTEGER PRIMARY KEY,
    key TEXT    NOT NULL UNIQUE
);
INSERT INTO principals (key) SELECT DISTINCT participant FROM call_participants ORDER BY participant;

ALTER TABLE calls ADD COLUMN principals TEXT NOT NULL DEFAULT '[]';
UPDATE calls SET principals = (
    SELECT json_group_array(p.id) FROM call_participants cp JOIN principals p ON p.key = cp.participant
    WHERE cp.call_rowid = calls.rowid);

DROP TRIGGER calls_fts_delete;
ALTER TABLE call_participants RENAME TO call_participants_v3;
CREATE TABLE call_participants (
    principal  INTEGER NOT NULL,
    call_rowid INTEGER NOT NULL,
    PRIMARY KEY (principal, call_rowid)
) WITHOUT ROWID;
INSERT INTO call_participants (principal, call_rowid)
    SELECT p.id, cp.call_rowid FROM call_participants_v3 cp JOIN principals p ON p.key = cp.participant;
DROP TABLE call_participants_v3;

CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
    INSERT INTO call_fts (call_fts, rowid, title, accounts, deals, people, brief, key_points, action_items, topics, trackers)
    VALUES ('delete', old.rowid, old.title, old.accounts, old.deals, old.people, old.brief, old.key_points, old.action_items, old.topics, old.trackers);
    DELETE FROM call_participants
    WHERE call_rowid = old.rowid AND principal IN (SELECT value FROM json_each(old.principals));
END;
