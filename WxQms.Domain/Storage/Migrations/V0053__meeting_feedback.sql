-- Members' feedback on a meeting they attended (#18 item 5): a rating 1–5 and a comment. The member is kept only so
-- that each rates once; no read names her: the branch and its superiors see the aggregate.
CREATE TABLE meeting_feedback (
    task_id     BIGINT        NOT NULL,
    member_id   BIGINT        NOT NULL,
    rating      TINYINT       NOT NULL,
    comment     VARCHAR(200)  NULL,
    created_at  DATETIME(6)   NOT NULL,
    PRIMARY KEY (task_id, member_id),
    CONSTRAINT fk_meeting_feedback_task FOREIGN KEY (task_id) REFERENCES tasks (id),
    CONSTRAINT fk_meeting_feedback_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
