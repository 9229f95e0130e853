-- One row per closed month (issue #6): the claim that makes the monthly close happen once. The primary
-- key on period_key lets any number of Jobs processes try; the first to commit wins, the others get a
-- duplicate key and write nothing. ledger_watermark is the highest points_ledger id the snapshot read:
-- entries above it (corrections after the close) show in the next snapshot, never in this one.
CREATE TABLE assessment_closes (
    period_key          VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    period_starts_at    DATETIME(6)   NOT NULL,
    period_ends_at      DATETIME(6)   NOT NULL,
    ledger_watermark    BIGINT        NOT NULL,
    previous_watermark  BIGINT        NULL,
    org_rows            INT           NOT NULL,
    member_rows         INT           NOT NULL,
    closed_at           DATETIME(6)   NOT NULL,
    closed_by           VARCHAR(64)   NOT NULL,
    PRIMARY KEY (period_key),
    KEY ix_assessment_closes_ends (period_ends_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
