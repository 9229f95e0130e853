-- Where the official-account bot is in a conversation with one user (issue #7): waiting for the name and
-- phone digits of a binding, or for the number of the task a burst of photos belongs to. One row per
-- (app, openid); a row past expires_at is a dialogue that timed out. MySQL, not Redis, because an
-- answer the bot was promised must not vanish with a cache.
CREATE TABLE bot_dialogues (
    app_id      VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    openid      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    step        VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    data        TEXT         NOT NULL,
    attempts    INT          NOT NULL DEFAULT 0,
    expires_at  DATETIME(6)  NOT NULL,
    updated_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (app_id, openid)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
