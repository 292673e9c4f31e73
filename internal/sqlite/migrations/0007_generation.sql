-- Schema v7: a counter of changes to the calls, bumped in the transaction
-- that adds, changes or removes calls. Readers cache what they derive from
-- the calls' workspaces and participants (who may see what) and check the
-- counter, one row, before each use.
CREATE TABLE calls_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO calls_generation (id, n) VALUES (1, 1);
