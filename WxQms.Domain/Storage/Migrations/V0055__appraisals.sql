-- 民主评议党员 (issue #18 item 4): each full member's grade for a year, recorded by her branch after its 组织生活会;
-- the stars read them through IAppraisalGrades. A 不合格 opens a follow-up for the secretary (talk, improvement plan).
CREATE TABLE appraisals (
    year                    INT          NOT NULL,
    member_id               BIGINT       NOT NULL,
    org_id                  BIGINT       NOT NULL,
    grade                   VARCHAR(24)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    recorded_at             DATETIME(6)  NOT NULL,
    recorded_by_member_id   BIGINT       NULL,
    PRIMARY KEY (year, member_id),
    KEY ix_appraisals_org_year (org_id, year),
    CONSTRAINT fk_appraisals_member FOREIGN KEY (member_id) REFERENCES members (id),
    CONSTRAINT fk_appraisals_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE appraisal_followups (
    id           BIGINT         NOT NULL AUTO_INCREMENT,
    year         INT            NOT NULL,
    member_id    BIGINT         NOT NULL,
    org_id       BIGINT         NOT NULL,
    opened_at    DATETIME(6)    NOT NULL,
    due_on       DATE           NOT NULL,
    talked_on    DATE           NULL,
    plan         VARCHAR(500)   NULL,
    closed_at    DATETIME(6)    NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_appraisal_followups_member_year (member_id, year),
    KEY ix_appraisal_followups_org (org_id, closed_at),
    CONSTRAINT fk_appraisal_followups_member FOREIGN KEY (member_id) REFERENCES members (id),
    CONSTRAINT fk_appraisal_followups_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
