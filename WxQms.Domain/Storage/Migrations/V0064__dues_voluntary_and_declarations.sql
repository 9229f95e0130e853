-- Party dues (#23), two additions.
-- 1. 自愿多交: the part of a collected payment above the dues it settled, and what it is (voluntary; forward_in_full when
--    one payment's voluntary part is 1,000 yuan or more, to be handed up in full to the centre). amount_fen stays the
--    whole payment, so the balance is unchanged.
ALTER TABLE dues_ledger
    ADD COLUMN voluntary_fen  INT          NOT NULL DEFAULT 0 AFTER amount_fen,
    ADD COLUMN voluntary_kind VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NULL AFTER voluntary_fen;

-- 2. A member declares her own base for a year (DUTIES.md §A.3: "declared or recorded each January"); the branch's
--    secretary confirms it (it becomes her dues_bases row) or refuses it with a reason. One declaration per member and
--    year: declaring again replaces it and waits for the secretary again.
CREATE TABLE dues_declarations (
    id              BIGINT        NOT NULL AUTO_INCREMENT,
    member_id       BIGINT        NOT NULL,
    year            INT           NOT NULL,
    category        VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    base_fen        INT           NOT NULL,
    state           VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    refusal         VARCHAR(200)  NULL,
    declared_at     DATETIME(6)   NOT NULL,
    decided_by      VARCHAR(64)   NULL,
    decided_at      DATETIME(6)   NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_dues_declarations_member_year (member_id, year),
    KEY ix_dues_declarations_state (state, year),
    CONSTRAINT fk_dues_declarations_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
