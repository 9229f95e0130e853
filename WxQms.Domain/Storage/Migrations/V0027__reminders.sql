-- Reminders and early warning (生物钟). The scanner finds tasks whose next reminder is due through
-- ix_tasks_next_reminder; each reminder it fires becomes one row per (task, kind, recipient), which
-- the senders claim through ix_reminders_due. Both costs follow what is due, not how many tasks exist.
ALTER TABLE tasks
    ADD COLUMN next_reminder_at DATETIME(6) NULL,
    ADD COLUMN warned_at        DATETIME(6) NULL,
    ADD KEY ix_tasks_next_reminder (next_reminder_at);

-- Open tasks are looked at once when they open; the scanner then works out their real timetable.
UPDATE tasks SET next_reminder_at = opens_at
WHERE state IN ('pending', 'planned', 'returned', 'overdue');

CREATE TABLE reminders (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    task_id       BIGINT       NOT NULL,
    kind          VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    member_id     BIGINT       NOT NULL,
    org_id        BIGINT       NOT NULL,
    status        VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    urgent        BOOL         NOT NULL DEFAULT FALSE,
    due_at        DATETIME(6)  NOT NULL,
    attempts      INT          NOT NULL DEFAULT 0,
    locked_by     VARCHAR(100) NULL,
    locked_until  DATETIME(6)  NULL,
    channel       VARCHAR(8)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    outbound_id   BIGINT       NULL,
    last_error    VARCHAR(500) NULL,
    created_at    DATETIME(6)  NOT NULL,
    updated_at    DATETIME(6)  NOT NULL,
    sent_at       DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_reminders_once (task_id, kind, member_id),
    KEY ix_reminders_due (status, due_at),
    KEY ix_reminders_lease (status, locked_until),
    KEY ix_reminders_org (org_id, status, due_at),
    CONSTRAINT fk_reminders_task FOREIGN KEY (task_id) REFERENCES tasks (id),
    CONSTRAINT fk_reminders_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- When the latest attempt of a send began: a send with no recorded answer after this is in doubt.
ALTER TABLE wechat_outbound ADD COLUMN attempted_at DATETIME(6) NULL;
