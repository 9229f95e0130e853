-- Messages WxQms sent through WeChat (template, subscribe, customer service). client_msg_id is ours
-- and unique, so a send is recorded once; msgid is WeChat's, and TEMPLATESENDJOBFINISH reports the
-- delivery status against it.
CREATE TABLE wechat_outbound (
    id               BIGINT       NOT NULL AUTO_INCREMENT,
    app_id           VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    kind             VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    to_openid        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    template_id      VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
    client_msg_id    VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    body             TEXT         NOT NULL,
    msgid            BIGINT       NULL,
    errcode          INT          NULL,
    errmsg           VARCHAR(500) NULL,
    delivery_status  VARCHAR(64)  NULL,
    created_at       DATETIME(6)  NOT NULL,
    sent_at          DATETIME(6)  NULL,
    delivered_at     DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_wechat_outbound_client (app_id, client_msg_id),
    KEY ix_wechat_outbound_msgid (app_id, msgid),
    KEY ix_wechat_outbound_to (app_id, to_openid, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
