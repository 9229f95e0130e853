-- Scan to sign in to the console (#16): a scene is made by the sign-in page without a row (it is signed, so a
-- foreign scene is refused before any lookup); the first scan of a member with a console role writes its row,
-- replying 1 in the chat confirms it, and the waiting page that made the scene spends it once for its cookie.
CREATE TABLE console_sign_ins (
    scene         VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    app_id        VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    openid        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    member_id     BIGINT       NOT NULL,
    state         VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    scanned_at    DATETIME(6)  NOT NULL,
    confirmed_at  DATETIME(6)  NULL,
    spent_at      DATETIME(6)  NULL,
    expires_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (scene),
    KEY ix_console_sign_ins_expires (expires_at),
    CONSTRAINT fk_console_sign_ins_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
