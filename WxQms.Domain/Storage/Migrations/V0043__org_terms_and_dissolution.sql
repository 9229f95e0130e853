-- Administration (#16), organisations: an org that is dissolved keeps its row (its tasks, points and history still name
-- it) and leaves the tree, the plan and the console on the day it was dissolved.
ALTER TABLE orgs ADD COLUMN dissolved_on DATE NULL AFTER established_on;

-- Each org's terms (换届): elected on a date for a number of years (branch committees 3, community committees 5 by
-- default, Orgs:TermYears). The current term is the latest one. The reminder scan stamps each term when it has queued
-- the six- and three-month reminders; the outbox's unique key (subject, kind, recipient) makes queuing them twice a no-op.
CREATE TABLE org_terms (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    org_id          BIGINT       NOT NULL,
    elected_on      DATE         NOT NULL,
    years           INT          NOT NULL,
    ends_on         DATE         NOT NULL,
    reminded_6m_at  DATETIME(6)  NULL,
    reminded_3m_at  DATETIME(6)  NULL,
    actor           VARCHAR(64)  NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_org_terms_org (org_id, elected_on),
    KEY ix_org_terms_ends (ends_on),
    CONSTRAINT fk_org_terms_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
