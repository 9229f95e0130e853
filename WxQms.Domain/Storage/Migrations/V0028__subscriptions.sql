-- Subscribe-message consent (订阅消息): each "accept" in wx.requestSubscribeMessage allows one send of
-- that template to that user. remaining is what is left; the events are the trail of every answer.
CREATE TABLE mp_subscriptions (
    app_id       VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    openid       VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    template_id  VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    remaining    INT          NOT NULL DEFAULT 0,
    last_result  VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    updated_at   DATETIME(6)  NOT NULL,
    PRIMARY KEY (app_id, openid, template_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE mp_subscription_events (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    app_id       VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    openid       VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    template_id  VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    result       VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    source       VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    occurred_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_mp_subscription_events_user (app_id, openid, occurred_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Delivery reports (TEMPLATESENDJOBFINISH, subscribe_msg_sent_event) that match no send we recorded
-- an answer for: the trace of a send whose worker died before it could record WeChat's answer.
CREATE TABLE wechat_delivery_orphans (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    app_id       VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    openid       VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    msgid        BIGINT       NULL,
    template_id  VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
    status       VARCHAR(64)  NOT NULL,
    received_at  DATETIME(6)  NOT NULL,
    adopted_by   BIGINT       NULL,
    PRIMARY KEY (id),
    KEY ix_wechat_delivery_orphans_user (app_id, openid, received_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
