-- Ad-hoc tasks (临时性工作): one definition issued by office staff (or a community committee, for its
-- subtree) to a set of orgs, each of which gets its own row in tasks (adhoc_task_id, template 'adhoc').
-- The definition carries what a catalogue template would: evidence rule, points and deductions.
-- Cancelling it cancels every org's task and nets their ledger entries to zero, so it leaves the
-- assessment as if it had never been issued (DESIGN.md, Scoring).
CREATE TABLE adhoc_tasks (
    id                   BIGINT        NOT NULL AUTO_INCREMENT,
    title                VARCHAR(60)   NOT NULL,
    description          TEXT          NULL,
    opens_at             DATETIME(6)   NOT NULL,
    due_at               DATETIME(6)   NOT NULL,
    period_key           VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    points               DECIMAL(8,2)  NOT NULL,
    late_deduction       DECIMAL(8,2)  NOT NULL,
    overdue_deduction    DECIMAL(8,2)  NOT NULL,
    min_photos           INT           NOT NULL,
    attendance_required  BOOL          NOT NULL,
    minutes_required     BOOL          NOT NULL,
    place_required       BOOL          NOT NULL,
    topic_required       BOOL          NOT NULL,
    record_label         VARCHAR(20)   NOT NULL,
    scope_org_id         BIGINT        NOT NULL,
    target_count         INT           NOT NULL,
    issued_by            VARCHAR(64)   NOT NULL,
    issued_by_member_id  BIGINT        NULL,
    created_at           DATETIME(6)   NOT NULL,
    cancelled_at         DATETIME(6)   NULL,
    cancelled_by         VARCHAR(64)   NULL,
    cancel_reason        VARCHAR(200)  NULL,
    PRIMARY KEY (id),
    KEY ix_adhoc_tasks_scope (scope_org_id, created_at),
    CONSTRAINT fk_adhoc_tasks_scope FOREIGN KEY (scope_org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE tasks
    ADD COLUMN adhoc_task_id BIGINT NULL AFTER adhoc,
    ADD KEY ix_tasks_adhoc (adhoc_task_id),
    ADD CONSTRAINT fk_tasks_adhoc FOREIGN KEY (adhoc_task_id) REFERENCES adhoc_tasks (id);
