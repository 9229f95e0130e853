-- Each submission of evidence for a task (佐证材料) and how it was judged. A returned task gets a new
-- submission; the earlier ones stay as the record of what was sent.
CREATE TABLE task_evidence (
    id                      BIGINT        NOT NULL AUTO_INCREMENT,
    task_id                 BIGINT        NOT NULL,
    held_at                 DATETIME(6)   NOT NULL,
    place                   VARCHAR(200)  NULL,
    topic                   VARCHAR(200)  NULL,
    minutes                 TEXT          NULL,
    present                 INT           NOT NULL DEFAULT 0,
    absent                  INT           NOT NULL DEFAULT 0,
    on_leave                INT           NOT NULL DEFAULT 0,
    photo_count             INT           NOT NULL DEFAULT 0,
    submitted_at            DATETIME(6)   NOT NULL,
    submitted_by            VARCHAR(64)   NOT NULL,
    submitted_by_member_id  BIGINT        NULL,
    passed                  BOOL          NOT NULL,
    reasons                 TEXT          NULL,
    on_time                 BOOL          NOT NULL,
    points                  DECIMAL(8,2)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_task_evidence_task (task_id, id),
    CONSTRAINT fk_task_evidence_task FOREIGN KEY (task_id) REFERENCES tasks (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
