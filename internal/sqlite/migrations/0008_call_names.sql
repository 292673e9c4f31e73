-- Schema v8: the account and deal names of the calls, each with the number
-- of calls that name it. Questions are understood against these names
-- ("Acme" is the account "Acme Corp"); the writer keeps the counts in the
-- transaction that changes the calls, and a name no call has is removed.
CREATE TABLE call_names (
    kind  INTEGER NOT NULL, -- 1 account, 2 deal
    name  TEXT    NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (kind, name)
) WITHOUT ROWID;

-- The names of the calls already indexed: each column holds one name per line.
INSERT INTO call_names (kind, name, calls)
WITH RECURSIVE lines (kind, rowid, name, rest) AS (
    SELECT 1, rowid, '', accounts || char(10) FROM calls WHERE accounts <> ''
    UNION ALL
    SELECT 2, rowid, '', deals || char(10) FROM calls WHERE deals <> ''
    UNION ALL
    SELECT kind, rowid, substr(rest, 1, instr(rest, char(10)) - 1), substr(rest, instr(rest, char(10)) + 1)
    FROM lines WHERE rest <> ''
)
SELECT kind, name, count(DISTINCT rowid) FROM lines WHERE name <> '' GROUP BY kind, name;
