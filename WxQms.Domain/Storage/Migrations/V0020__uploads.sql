-- Photos uploaded one at a time (wx.uploadFile sends one file per request) before the evidence that
-- uses them: each upload gets an opaque token its uploader hands in with the evidence, once, within
-- a day. The photo itself is on disk by content hash like every other evidence photo.
CREATE TABLE uploads (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    token           CHAR(32)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    wechat_user_id  BIGINT       NOT NULL,
    sha256          CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size_bytes      BIGINT       NOT NULL,
    content_type    VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    storage_path    VARCHAR(255) NOT NULL,
    taken_at        DATETIME(6)  NULL,
    created_at      DATETIME(6)  NOT NULL,
    used_at         DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_uploads_token (token),
    KEY ix_uploads_user (wechat_user_id, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
