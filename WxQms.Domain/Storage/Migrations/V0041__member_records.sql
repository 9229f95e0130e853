-- Administration (#16): what a subdistrict keeps about its members beyond the first wave's roster.
-- ID-card numbers are stored encrypted (AES-256-GCM, Members:IdCardKey): the ciphertext, the last four characters
-- for the staff's search, and a keyed hash (HMAC-SHA256) that finds a number again without decrypting it.
ALTER TABLE members
    ADD COLUMN id_card_enc     VARBINARY(96) NULL AFTER phone,
    ADD COLUMN id_card_last4   CHAR(4)       CHARACTER SET ascii COLLATE ascii_bin NULL AFTER id_card_enc,
    ADD COLUMN id_card_lookup  BINARY(32)    NULL AFTER id_card_last4,
    ADD COLUMN deceased_on     DATE          NULL AFTER mobile,
    ADD UNIQUE KEY ux_members_id_card (id_card_lookup),
    ADD KEY ix_members_id_card_last4 (id_card_last4);

-- A role is held from a date; member_roles keeps the roles held now, and a role that ends moves to
-- member_role_history with both dates, so a member can hold the same role again later.
ALTER TABLE member_roles
    ADD COLUMN starts_on DATE NULL AFTER org_id;

CREATE TABLE member_role_history (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    member_id   BIGINT       NOT NULL,
    role        VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    org_id      BIGINT       NOT NULL,
    starts_on   DATE         NULL,
    ends_on     DATE         NOT NULL,
    created_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_member_role_history_member (member_id, ends_on),
    KEY ix_member_role_history_org (org_id, role, ends_on),
    CONSTRAINT fk_member_role_history_member FOREIGN KEY (member_id) REFERENCES members (id),
    CONSTRAINT fk_member_role_history_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Every move of a member between orgs of the subdistrict, with its date.
CREATE TABLE member_moves (
    id           BIGINT        NOT NULL AUTO_INCREMENT,
    member_id    BIGINT        NOT NULL,
    from_org_id  BIGINT        NOT NULL,
    to_org_id    BIGINT        NOT NULL,
    moved_on     DATE          NOT NULL,
    reason       VARCHAR(200)  NULL,
    actor        VARCHAR(64)   NOT NULL,
    created_at   DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    KEY ix_member_moves_member (member_id, moved_on),
    CONSTRAINT fk_member_moves_member FOREIGN KEY (member_id) REFERENCES members (id),
    CONSTRAINT fk_member_moves_from FOREIGN KEY (from_org_id) REFERENCES orgs (id),
    CONSTRAINT fk_member_moves_to FOREIGN KEY (to_org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
