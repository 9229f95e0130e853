-- Party dues (#23, DUTIES.md §A.3). Amounts are integer fen throughout.
-- A member's yearly base as the branch recorded it (each January), with the amount it gives and any special lower
-- amount the branch approved (with its reason).
CREATE TABLE dues_bases (
    id              BIGINT        NOT NULL AUTO_INCREMENT,
    member_id       BIGINT        NOT NULL,
    year            INT           NOT NULL,
    category        VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    base_fen        INT           NOT NULL,
    monthly_fen     INT           NOT NULL,
    special_fen     INT           NULL,
    special_reason  VARCHAR(200)  NULL,
    recorded_by     VARCHAR(64)   NOT NULL,
    created_at      DATETIME(6)   NOT NULL,
    updated_at      DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_dues_bases_member_year (member_id, year),
    CONSTRAINT fk_dues_bases_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per member and month (created by the dues-months job, or ahead when a member pays ahead): its amount, what
-- was paid against it, and its state (owed, partly_paid, paid, waived with the approval's reason). org_id is the
-- member's branch when the row was made: the branch whose ledger collects it.
CREATE TABLE dues_months (
    id             BIGINT        NOT NULL AUTO_INCREMENT,
    member_id      BIGINT        NOT NULL,
    org_id         BIGINT        NOT NULL,
    month          CHAR(7)       CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    amount_fen     INT           NOT NULL,
    paid_fen       INT           NOT NULL DEFAULT 0,
    state          VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    note           VARCHAR(200)  NULL,
    entry_id       BIGINT        NULL,
    settled_at     DATETIME(6)   NULL,
    created_at     DATETIME(6)   NOT NULL,
    updated_at     DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_dues_months_member_month (member_id, month),
    KEY ix_dues_months_org_month (org_id, month, state),
    KEY ix_dues_months_month_state (month, state),
    CONSTRAINT fk_dues_months_member FOREIGN KEY (member_id) REFERENCES members (id),
    CONSTRAINT fk_dues_months_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- The branch ledger: money collected (WeChat Pay or cash, with its order number or receipt number) and money handed up
-- to the superior (上缴, with its reference). The balance is what was collected less what was handed up. A reference is
-- unique per branch and kind, so the same receipt or order is never booked twice.
CREATE TABLE dues_ledger (
    id           BIGINT        NOT NULL AUTO_INCREMENT,
    org_id       BIGINT        NOT NULL,
    kind         VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    via          VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    amount_fen   INT           NOT NULL,
    member_id    BIGINT        NULL,
    months       VARCHAR(200)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    reference    VARCHAR(64)   NOT NULL,
    recorded_by  VARCHAR(64)   NOT NULL,
    occurred_at  DATETIME(6)   NOT NULL,
    created_at   DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_dues_ledger_reference (org_id, kind, reference),
    KEY ix_dues_ledger_org_time (org_id, occurred_at),
    CONSTRAINT fk_dues_ledger_org FOREIGN KEY (org_id) REFERENCES orgs (id),
    CONSTRAINT fk_dues_ledger_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Arrears cases: a talk the secretary is asked to hold (three months owed; its task) and a case for the community
-- committee (six months owed, 连续六个月不交纳党费) with the decision it records. One per member, kind and opening month.
CREATE TABLE dues_cases (
    id           BIGINT        NOT NULL AUTO_INCREMENT,
    member_id    BIGINT        NOT NULL,
    org_id       BIGINT        NOT NULL,
    kind         VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    month        CHAR(7)       CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    months_owed  INT           NOT NULL,
    task_id      BIGINT        NULL,
    decision     VARCHAR(200)  NULL,
    decided_by   VARCHAR(64)   NULL,
    decided_at   DATETIME(6)   NULL,
    created_at   DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_dues_cases_member (member_id, kind, month),
    KEY ix_dues_cases_org (org_id, kind),
    CONSTRAINT fk_dues_cases_member FOREIGN KEY (member_id) REFERENCES members (id),
    CONSTRAINT fk_dues_cases_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A branch's yearly disclosure (党费收缴情况公示), published by its secretary: /h5/dues/{orgId}/{year} shows it from then.
CREATE TABLE dues_disclosures (
    org_id        BIGINT       NOT NULL,
    year          INT          NOT NULL,
    published_by  VARCHAR(64)  NOT NULL,
    published_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (org_id, year),
    CONSTRAINT fk_dues_disclosures_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
