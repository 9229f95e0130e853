-- Every callback WeChat delivered, once: the unique (app_id, dedupe_key) makes a retried delivery a
-- no-op, and the stored reply lets the retry get the same answer. Slow follow-up work (downloading
-- a photo) is claimed from here by workers, so nothing acknowledged is lost if a process dies.
CREATE TABLE wechat_inbound (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    app_id          VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    dedupe_key      VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    from_openid     VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    msg_type        VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    event           VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    payload         MEDIUMTEXT   NOT NULL,
    received_at     DATETIME(6)  NOT NULL,
    reply           MEDIUMTEXT   NULL,
    replied_at      DATETIME(6)  NULL,
    work            VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    work_status     VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    attempts        INT          NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6)  NULL,
    locked_by       VARCHAR(100) NULL,
    locked_until    DATETIME(6)  NULL,
    last_error      VARCHAR(500) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_wechat_inbound_dedupe (app_id, dedupe_key),
    KEY ix_wechat_inbound_work (work_status, next_attempt_at),
    KEY ix_wechat_inbound_from (app_id, from_openid, received_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
