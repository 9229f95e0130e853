-- A WeChat identity: one openid per app (official account, mini program), tied together by unionid,
-- and linked to a member once the person is recognised. Residents stay unlinked.
CREATE TABLE wechat_users (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    app_id      VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    openid      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    unionid     VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    member_id   BIGINT       NULL,
    nickname    VARCHAR(100) NULL,
    subscribed  BOOL         NOT NULL DEFAULT FALSE,
    created_at  DATETIME(6)  NOT NULL,
    updated_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_wechat_users_app_openid (app_id, openid),
    KEY ix_wechat_users_unionid (unionid),
    KEY ix_wechat_users_member (member_id),
    CONSTRAINT fk_wechat_users_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
