-- SMS (issue #21): one row per reminder sent by SMS (recorded before the provider is called, so a send whose answer
-- was lost is known to be in doubt), the provider's answer and receipt; the replies numbers sent; the numbers that
-- replied 「TD」; and when a reminder's SMS was reported delivered.
CREATE TABLE sms_messages (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    client_ref    VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    reminder_id   BIGINT       NULL,
    phone         VARCHAR(20)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    kind          VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    org_id        BIGINT       NULL,
    template_id   VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    params        VARCHAR(1000) NOT NULL,
    content_hash  CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    attempted_at  DATETIME(6)  NOT NULL,
    code          VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    message       VARCHAR(255) NULL,
    serial_no     VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    fee           INT          NULL,
    report_status VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    report_code   VARCHAR(64)  NULL,
    reported_at   DATETIME(6)  NULL,
    created_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_sms_messages_ref (client_ref),
    KEY ix_sms_messages_phone (phone, attempted_at),
    KEY ix_sms_messages_serial (serial_no),
    KEY ix_sms_messages_reminder (reminder_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE sms_replies (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    phone       VARCHAR(20)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    content     VARCHAR(500) NOT NULL,
    opt_out     BOOL         NOT NULL,
    received_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_sms_replies_phone (phone, received_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE sms_opt_outs (
    phone        VARCHAR(20)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    reply_id     BIGINT       NOT NULL,
    opted_out_at DATETIME(6)  NOT NULL,
    PRIMARY KEY (phone)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

ALTER TABLE reminders ADD COLUMN delivered_at DATETIME(6) NULL;
