-- 管理评审 (issue #20 item 2): a review held for a period (a quarter or a year) and a scope (the subdistrict or one
-- community), and the decisions it recorded. Each decision has an owner org and a due day and became an ad-hoc task
-- for that org (adhoc_task_id); the next review reads whether it was done from that task's state.
CREATE TABLE management_reviews (
    id              BIGINT        NOT NULL AUTO_INCREMENT,
    period_key      VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    period_ends_at  DATETIME(6)   NOT NULL,
    scope_org_id    BIGINT        NOT NULL,
    created_by      VARCHAR(64)   NOT NULL,
    created_at      DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_management_reviews (scope_org_id, period_key),
    KEY ix_management_reviews_ends (scope_org_id, period_ends_at),
    CONSTRAINT fk_management_reviews_org FOREIGN KEY (scope_org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE review_decisions (
    id             BIGINT        NOT NULL AUTO_INCREMENT,
    review_id      BIGINT        NOT NULL,
    text           VARCHAR(200)  NOT NULL,
    owner_org_id   BIGINT        NOT NULL,
    due_on         DATE          NOT NULL,
    adhoc_task_id  BIGINT        NOT NULL,
    decided_by     VARCHAR(64)   NOT NULL,
    created_at     DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    KEY ix_review_decisions_review (review_id, id),
    CONSTRAINT fk_review_decisions_review FOREIGN KEY (review_id) REFERENCES management_reviews (id),
    CONSTRAINT fk_review_decisions_owner FOREIGN KEY (owner_org_id) REFERENCES orgs (id),
    CONSTRAINT fk_review_decisions_adhoc FOREIGN KEY (adhoc_task_id) REFERENCES adhoc_tasks (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
