-- The assessment sums a task's ledger entries (and, for carried corrections, scans by id): this index
-- answers "entries of task T" without touching the table. The unique key leads with source, so it cannot.
CREATE INDEX ix_points_ledger_assess_task ON points_ledger (task_id, subject_type, points);
