-- Photos and other media users sent to the account, downloaded with media/get (WeChat deletes them
-- after 3 days) and stored on disk by content hash. The bot issue attaches them to tasks.
CREATE TABLE inbound_media (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    inbound_id    BIGINT       NOT NULL,
    app_id        VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    from_openid   VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    media_id      VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sha256        CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size_bytes    BIGINT       NOT NULL,
    content_type  VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    storage_path  VARCHAR(255) NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_inbound_media_inbound (inbound_id),
    KEY ix_inbound_media_from (app_id, from_openid, created_at),
    KEY ix_inbound_media_hash (sha256),
    CONSTRAINT fk_inbound_media_inbound FOREIGN KEY (inbound_id) REFERENCES wechat_inbound (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
