-- Review by office staff (DESIGN.md: staff review quality). Each submission is reviewed at most
-- once: approved with a bounded quality adjustment, or returned with a reason. tasks.review_status
-- says where a completed task stands: 'awaiting' after judgment passed, 'approved' after review,
-- NULL otherwise (the monitoring summary counts the awaiting ones).
ALTER TABLE task_evidence
    ADD COLUMN reviewed_at            DATETIME(6)   NULL,
    ADD COLUMN reviewed_by            VARCHAR(64)   NULL,
    ADD COLUMN reviewed_by_member_id  BIGINT        NULL,
    ADD COLUMN review_decision        VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN review_adjustment      DECIMAL(8,2)  NULL,
    ADD COLUMN review_reason          VARCHAR(200)  NULL;

ALTER TABLE tasks
    ADD COLUMN review_status VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER state;

-- A task can now be completed, returned by review and completed again, or marked overdue twice:
-- ledger entries are unique per (source, task, subject, ref), where ref names the occasion (the
-- evidence submission, or the task's row version when it was marked overdue). 0 = no occasion.
ALTER TABLE points_ledger
    ADD COLUMN ref_id BIGINT NOT NULL DEFAULT 0 AFTER task_id,
    DROP INDEX ux_points_ledger_source,
    ADD UNIQUE KEY ux_points_ledger_source (source, task_id, subject_type, subject_id, ref_id),
    ADD KEY ix_points_ledger_task (task_id);

-- When a photo was taken, from its EXIF data where present: a flag for the reviewer when it is not
-- the meeting day, never a block.
ALTER TABLE evidence_photos
    ADD COLUMN taken_at DATETIME(6) NULL AFTER storage_path;
