-- 管理评审 (issue #20 item 2): the year's targets the office sets, per org or for every org of a level (community or
-- branch). An org's own target of a kind (and duty) stands in for its level's. scope_key is 'org:<id>' or
-- 'level:<level>', so one target per year, scope, kind and duty ('' when the kind names none).
CREATE TABLE review_targets (
    id          BIGINT        NOT NULL AUTO_INCREMENT,
    year        INT           NOT NULL,
    scope_key   VARCHAR(32)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    org_id      BIGINT        NULL,
    org_level   VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    kind        VARCHAR(24)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    duty_code   VARCHAR(48)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    threshold   DECIMAL(6,2)  NULL,
    set_by      VARCHAR(64)   NOT NULL,
    created_at  DATETIME(6)   NOT NULL,
    updated_at  DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_review_targets (year, scope_key, kind, duty_code),
    CONSTRAINT fk_review_targets_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
