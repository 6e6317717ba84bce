-- The next free slot of the Telegram sends every process shares (bot/pacing.py): one row.
-- depends: 0001.initial

CREATE TABLE pace (
    next_at timestamptz NOT NULL
);
INSERT INTO pace VALUES ('-infinity');
