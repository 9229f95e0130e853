-- Transfers of organisational relationship (组织关系转接, issue #17 item 3; DUTIES §A.5).
-- kind: within (branch to branch in the subdistrict), out (a letter to an organisation outside), in (a letter received
-- from outside), certificate (党员证明信 for a leave of six months or less: no move, no status change).
-- state: requested → completed (within, on the receiving branch's acceptance) or cancelled;
--        issued → accepted → completed (out: the receipt came back), issued → voided (a lost letter, re-issued as a new row);
--        completed at once (in: the member is placed in a branch; certificate: the letter is issued).
-- The sending branch stays responsible for a member transferred out (she stays on its roll) until the receipt comes back.
-- letter_no: ours for out and certificate (year-id); for in, the sending organisation's number as written on its letter.
-- dues_paid_through: "dues paid up to" (year-month, the month's first day); NULL until the dues area provides it.
CREATE TABLE transfers (
    id                 BIGINT        NOT NULL AUTO_INCREMENT,
    kind               VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    state              VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    member_id          BIGINT        NOT NULL,
    from_org_id        BIGINT        NULL,
    to_org_id          BIGINT        NULL,
    from_org_name      VARCHAR(100)  NOT NULL,
    to_org_name        VARCHAR(100)  NOT NULL,
    letter_no          VARCHAR(32)   NULL,
    issued_on          DATE          NULL,
    valid_until        DATE          NULL,
    dues_paid_through  DATE          NULL,
    reason             VARCHAR(200)  NULL,
    started_by_org_id  BIGINT        NULL,
    accepted_on        DATE          NULL,
    receipt_due_on     DATE          NULL,
    receipt_on         DATE          NULL,
    closed_on          DATE          NULL,
    replaces_id        BIGINT        NULL,
    void_reason        VARCHAR(200)  NULL,
    actor              VARCHAR(64)   NOT NULL,
    created_at         DATETIME(6)   NOT NULL,
    updated_at         DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_transfers_letter_no (letter_no, kind, from_org_name),
    KEY ix_transfers_member (member_id, created_at),
    KEY ix_transfers_state (state, kind),
    KEY ix_transfers_from (from_org_id, created_at),
    KEY ix_transfers_to (to_org_id, created_at),
    CONSTRAINT fk_transfers_member FOREIGN KEY (member_id) REFERENCES members (id),
    CONSTRAINT fk_transfers_from FOREIGN KEY (from_org_id) REFERENCES orgs (id),
    CONSTRAINT fk_transfers_to FOREIGN KEY (to_org_id) REFERENCES orgs (id),
    CONSTRAINT fk_transfers_replaces FOREIGN KEY (replaces_id) REFERENCES transfers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
