-- 党性体检 (issue #18 item 3): the yearly questionnaire the office defines as data, and each member's check-up.
-- Items are edited while no one has answered the year's questionnaire; ratings are JSON objects {itemId: 1..5}.
CREATE TABLE checkup_items (
    id          BIGINT        NOT NULL AUTO_INCREMENT,
    year        INT           NOT NULL,
    section     VARCHAR(32)   NOT NULL,
    text        VARCHAR(200)  NOT NULL,
    weight      INT           NOT NULL,
    sort_order  INT           NOT NULL,
    created_at  DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    KEY ix_checkup_items_year (year, sort_order)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One check-up per member and year: her self-assessment, the branch's assessment (by her branch secretary) and,
-- once both are in, the result (score 0–100, grade, the ids of the items to improve, heaviest first).
CREATE TABLE checkups (
    id                    BIGINT        NOT NULL AUTO_INCREMENT,
    year                  INT           NOT NULL,
    member_id             BIGINT        NOT NULL,
    org_id                BIGINT        NOT NULL,
    self_ratings          TEXT          NULL,
    self_at               DATETIME(6)   NULL,
    branch_ratings        TEXT          NULL,
    branch_at             DATETIME(6)   NULL,
    branch_by_member_id   BIGINT        NULL,
    score                 DECIMAL(5,2)  NULL,
    grade                 VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    improve               TEXT          NULL,
    created_at            DATETIME(6)   NOT NULL,
    updated_at            DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_checkups_member_year (member_id, year),
    KEY ix_checkups_org_year (org_id, year),
    CONSTRAINT fk_checkups_member FOREIGN KEY (member_id) REFERENCES members (id),
    CONSTRAINT fk_checkups_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
