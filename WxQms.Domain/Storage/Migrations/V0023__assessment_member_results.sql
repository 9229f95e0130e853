-- A closed month's member points (booked in the month and in the year to its end) and star rating.
CREATE TABLE assessment_member_results (
    period_key    VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    member_id     BIGINT        NOT NULL,
    org_id        BIGINT        NOT NULL,
    name          VARCHAR(50)   NOT NULL,
    points        DECIMAL(12,2) NOT NULL,
    points_year   DECIMAL(12,2) NOT NULL,
    stars         TINYINT       NOT NULL,
    grade         VARCHAR(24)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    PRIMARY KEY (period_key, member_id),
    KEY ix_assessment_member_results_org (period_key, org_id),
    CONSTRAINT fk_assessment_member_results_close FOREIGN KEY (period_key) REFERENCES assessment_closes (period_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
