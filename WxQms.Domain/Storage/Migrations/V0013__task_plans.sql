-- The plan a branch reports ahead of a meeting: when, where, on what (预先报备).
ALTER TABLE tasks
    ADD COLUMN planned_for  DATETIME(6)  NULL AFTER state,
    ADD COLUMN place        VARCHAR(200) NULL AFTER planned_for,
    ADD COLUMN topic        VARCHAR(200) NULL AFTER place,
    ADD COLUMN planned_at   DATETIME(6)  NULL AFTER topic;
