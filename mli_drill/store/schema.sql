-- The mli-drill database schema, as a series of forward migrations.
--
-- Each section starts with a "-- version: N" line. On open, every section
-- whose N is greater than PRAGMA user_version is applied in one transaction,
-- and user_version is set to N. Never edit a released section: add a new one.
-- Times are UTC ISO-8601 text ("2026-11-26T09:00:00+00:00").

-- version: 1
CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,            -- 'card:<card id>' or 'family:<family name>'
    kind          TEXT NOT NULL CHECK (kind IN ('card', 'family')),
    deck          TEXT NOT NULL DEFAULT '',         -- deck id of a card; topic of a family
    state         INTEGER NOT NULL DEFAULT 0,       -- 0 new; fsrs.State otherwise: 1 learning, 2 review, 3 relearning
    step          INTEGER,                          -- fsrs learning step
    stability     REAL,
    difficulty    REAL,
    due           TEXT,                             -- NULL while new
    last_review   TEXT,
    reps          INTEGER NOT NULL DEFAULT 0,
    lapses        INTEGER NOT NULL DEFAULT 0,       -- times forgotten after graduating
    suspended     INTEGER NOT NULL DEFAULT 0,
    leech         INTEGER NOT NULL DEFAULT 0,
    orphaned      INTEGER NOT NULL DEFAULT 0,       -- no longer in any deck: kept, never deleted
    introduced_at TEXT,                             -- first review, for the daily new-card limit
    created_at    TEXT NOT NULL
);
CREATE INDEX items_due ON items (due) WHERE state > 0;

-- Append-only: a row is never deleted; undo only sets "undone".
CREATE TABLE review_log (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items (id),
    reviewed_at TEXT NOT NULL,
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    duration_ms INTEGER,
    answer      TEXT,                               -- what the student typed or chose
    correct     INTEGER,                            -- 1/0; NULL when self-graded
    source      TEXT NOT NULL DEFAULT 'review',     -- review | practice | exam
    detail      TEXT,                               -- JSON, e.g. a problem's family level and seed
    undone      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX review_log_item ON review_log (item_id, reviewed_at);
CREATE INDEX review_log_time ON review_log (reviewed_at);

-- version: 2
-- Mock exam papers (mli-drill exam). Each answer is committed as it is given,
-- so an interrupted paper can be resumed.
CREATE TABLE exam_papers (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,                               -- NULL while in progress
    seed        INTEGER NOT NULL,
    level       TEXT NOT NULL,
    minutes     INTEGER NOT NULL,
    questions   TEXT NOT NULL,                      -- JSON list of exam.Question
    score       REAL,
    max_score   REAL,
    report      TEXT                                -- JSON exam.Report
);

CREATE TABLE exam_answers (
    id          INTEGER PRIMARY KEY,
    paper_id    INTEGER NOT NULL REFERENCES exam_papers (id),
    position    INTEGER NOT NULL,
    answer      TEXT,
    marks       REAL NOT NULL,
    max_marks   REAL NOT NULL,
    seconds     REAL NOT NULL,
    answered_at TEXT NOT NULL,
    UNIQUE (paper_id, position)
);

-- version: 3
-- Statistics count live reviews per day: index the undone flag with the time
-- so those counts are answered from the index alone.
CREATE INDEX review_log_time_live ON review_log (reviewed_at, undone);
DROP INDEX review_log_time;

-- version: 4
-- Small facts about the database itself, e.g. a fingerprint of the decks
-- and families the items table was last synced with (a start-up saving).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- version: 5
-- Live reviews per UTC quarter-hour ('2026-05-01T09:15'), kept by triggers.
-- Every time zone's midnight falls on a quarter-hour, so the heatmap and the
-- streak sum these rows per local day instead of counting the review log.
CREATE TABLE review_quarters (
    quarter TEXT PRIMARY KEY,
    reviews INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO review_quarters (quarter, reviews)
    SELECT substr(reviewed_at, 1, 14) || printf('%02d', (CAST(substr(reviewed_at, 15, 2) AS INTEGER) / 15) * 15), count(*)
    FROM review_log WHERE undone = 0 GROUP BY 1;
CREATE TRIGGER review_quarters_insert AFTER INSERT ON review_log WHEN NEW.undone = 0 BEGIN
    INSERT INTO review_quarters (quarter, reviews)
    VALUES (substr(NEW.reviewed_at, 1, 14) || printf('%02d', (CAST(substr(NEW.reviewed_at, 15, 2) AS INTEGER) / 15) * 15), 1)
    ON CONFLICT (quarter) DO UPDATE SET reviews = reviews + 1;
END;
CREATE TRIGGER review_quarters_undo AFTER UPDATE OF undone ON review_log WHEN NEW.undone != OLD.undone BEGIN
    INSERT INTO review_quarters (quarter, reviews)
    VALUES (substr(NEW.reviewed_at, 1, 14) || printf('%02d', (CAST(substr(NEW.reviewed_at, 15, 2) AS INTEGER) / 15) * 15),
            CASE WHEN NEW.undone THEN -1 ELSE 1 END)
    ON CONFLICT (quarter) DO UPDATE SET reviews = reviews + excluded.reviews;
END;

-- version: 6
-- Seconds since the item's previous live review, written with each review
-- (NULL for a first review): true retention then needs no window query.
ALTER TABLE review_log ADD COLUMN elapsed_s INTEGER;
UPDATE review_log SET elapsed_s = gaps.elapsed
FROM (
    SELECT id,
           CAST(strftime('%s', reviewed_at) AS INTEGER)
           - CAST(strftime('%s', lag(reviewed_at) OVER (PARTITION BY item_id ORDER BY reviewed_at, id)) AS INTEGER) AS elapsed
    FROM review_log WHERE undone = 0
) AS gaps
WHERE review_log.id = gaps.id;

-- version: 7
-- The slips a wrong answer was diagnosed with (mli_drill.problems.mistakes): a JSON list
-- of {"id", "message"}, the message as shown then (with that instance's numbers,
-- which a later sampler could no longer rebuild from the seed). NULL when no slip
-- was recognised, for correct answers and for cards. Older answers are not
-- re-diagnosed. The partial index keeps "recurring mistakes" one small range scan.
ALTER TABLE review_log ADD COLUMN mistakes TEXT;
ALTER TABLE exam_answers ADD COLUMN mistakes TEXT;
CREATE INDEX review_log_mistakes ON review_log (reviewed_at) WHERE mistakes IS NOT NULL;

-- version: 8
-- Mock exams keep their promises: the time a paper has used survives an
-- interruption (time spent on a question left unanswered counts too), and an
-- answer that arrives after time is up is kept, apart from the marked ones,
-- and never scored.
ALTER TABLE exam_papers ADD COLUMN seconds_used REAL;
CREATE TABLE exam_late_answers (
    id          INTEGER PRIMARY KEY,
    paper_id    INTEGER NOT NULL REFERENCES exam_papers (id),
    position    INTEGER NOT NULL,
    answer      TEXT,
    answered_at TEXT NOT NULL,
    UNIQUE (paper_id, position)
);

-- version: 9
-- Adaptive practice (mli_drill.review.ability): an Elo-style ability per problem
-- family and a difficulty per level. Both are a fold of the live problem
-- answers in the review log (family, level from the detail JSON, correct), in
-- log-id order; these tables cache the fold up to review_log id
-- meta['abilities_through'], so only newer answers are folded in. Taking an
-- answer back (undo, or a rating changed at the prompt) that the cache has
-- already folded in drops that mark, and the next read folds the log afresh.
CREATE TABLE abilities (
    family  TEXT PRIMARY KEY,                      -- family name (items.key without 'family:')
    ability REAL NOT NULL,                         -- θ
    answers INTEGER NOT NULL                       -- answers folded in
) WITHOUT ROWID;
CREATE TABLE level_difficulties (
    level      TEXT PRIMARY KEY,                   -- easy | exam | hard
    difficulty REAL NOT NULL,                      -- b
    answers    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER abilities_undo AFTER UPDATE OF undone ON review_log
WHEN NEW.undone != OLD.undone AND (SELECT kind FROM items WHERE id = NEW.item_id) = 'family' BEGIN
    DELETE FROM meta WHERE key = 'abilities_through' AND CAST(value AS INTEGER) >= NEW.id;
END;

-- FSRS parameters fitted to the student's own review log (mli-drill optimize).
-- Every fit is kept with its figures (held-out log loss and RMSE of the
-- default, the parameters in use then, and the fitted ones); the row with
-- in_use = 1, if any, holds the parameters the scheduler uses. None: the
-- FSRS-6 defaults (also after `config set fsrs-parameters default`).
CREATE TABLE fsrs_fits (
    id         INTEGER PRIMARY KEY,
    fitted_at  TEXT NOT NULL,
    reviews    INTEGER NOT NULL,                   -- live reviews in the log when fitted (all of them used)
    parameters TEXT NOT NULL,                      -- JSON list of the 21 FSRS-6 parameters
    figures    TEXT NOT NULL,                      -- JSON mli_drill.review.optimizer.Fit figures
    adopted    INTEGER NOT NULL,                   -- 1: better on the held-out fifth, so adopted when fitted
    in_use     INTEGER NOT NULL DEFAULT 0          -- 1: the scheduler uses these now (at most one row)
);
CREATE UNIQUE INDEX fsrs_fits_in_use ON fsrs_fits (in_use) WHERE in_use = 1;
