-- Branch binding QR codes (issue #7). The QR carries only `scene`, an opaque random string; the branch
-- it binds to is looked up here, and only until expires_at (the same instant WeChat's temporary QR
-- code stops working). ticket and qr_url are WeChat's answer to qrcode/create, kept so that printing
-- the same branch's code again reuses it instead of minting a new one each time.
CREATE TABLE bind_codes (
    id                    BIGINT       NOT NULL AUTO_INCREMENT,
    scene                 VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    org_id                BIGINT       NOT NULL,
    created_by_member_id  BIGINT       NULL,
    ticket                VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
    qr_url                VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL,
    created_at            DATETIME(6)  NOT NULL,
    expires_at            DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_bind_codes_scene (scene),
    KEY ix_bind_codes_org (org_id, expires_at),
    CONSTRAINT fk_bind_codes_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
