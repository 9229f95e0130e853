-- One row per duty an organisation owes: org × template × period (× party group), generated from the
-- catalogue (unique_key makes generation idempotent), or issued ad hoc. The template version is kept,
-- so a later catalogue change never rewrites a task. row_version guards concurrent changes.
CREATE TABLE tasks (
    id                BIGINT        NOT NULL AUTO_INCREMENT,
    unique_key        VARCHAR(128)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    org_id            BIGINT        NOT NULL,
    party_group_id    BIGINT        NULL,
    template_code     VARCHAR(48)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    template_version  INT           NOT NULL,
    period_key        VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    opens_at          DATETIME(6)   NOT NULL,
    due_at            DATETIME(6)   NOT NULL,
    possible_points   DECIMAL(8,2)  NOT NULL,
    state             VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'pending',
    adhoc             BOOL          NOT NULL DEFAULT FALSE,
    row_version       INT           NOT NULL DEFAULT 1,
    created_at        DATETIME(6)   NOT NULL,
    updated_at        DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_tasks_key (unique_key),
    KEY ix_tasks_org_due (org_id, due_at),
    KEY ix_tasks_state_due (state, due_at),
    KEY ix_tasks_period (period_key, template_code),
    CONSTRAINT fk_tasks_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
