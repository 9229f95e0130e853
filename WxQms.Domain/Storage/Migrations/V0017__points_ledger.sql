-- The points ledger (DESIGN.md, Scoring): append-only entries, each naming its source. One entry per
-- (source, task, subject): a repeated completion books nothing twice. Corrections are new entries.
CREATE TABLE points_ledger (
    id            BIGINT        NOT NULL AUTO_INCREMENT,
    subject_type  VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    subject_id    BIGINT        NOT NULL,
    period_key    VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    points        DECIMAL(8,2)  NOT NULL,
    source        VARCHAR(48)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    task_id       BIGINT        NULL,
    reason        VARCHAR(200)  NOT NULL,
    created_at    DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_points_ledger_source (source, task_id, subject_type, subject_id),
    KEY ix_points_ledger_subject (subject_type, subject_id, period_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
