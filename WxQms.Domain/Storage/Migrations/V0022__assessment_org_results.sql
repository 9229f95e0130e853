-- A closed month's result of every ranked org: what was possible and earned over the tasks due in the
-- month, corrections to earlier months carried in, and the rank among siblings (communities in the
-- subdistrict, branches in their community). Names are copied so a later rename never edits history.
CREATE TABLE assessment_org_results (
    period_key    VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    org_id        BIGINT        NOT NULL,
    parent_id     BIGINT        NULL,
    path          VARCHAR(255)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    depth         INT           NOT NULL,
    kind          VARCHAR(32)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name          VARCHAR(100)  NOT NULL,
    sort_order    INT           NOT NULL,
    possible      DECIMAL(12,2) NOT NULL,
    earned        DECIMAL(12,2) NOT NULL,
    carried       DECIMAL(12,2) NOT NULL,
    tasks         INT           NOT NULL,
    missed        INT           NOT NULL,
    ratio         DECIMAL(9,6)  NULL,
    community_rank INT          NULL,
    branch_rank   INT           NULL,
    PRIMARY KEY (period_key, org_id),
    CONSTRAINT fk_assessment_org_results_close FOREIGN KEY (period_key) REFERENCES assessment_closes (period_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
