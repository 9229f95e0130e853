-- WeChat Pay (#23): one row per JSAPI order we start (a unique out_trade_no), its prepay_id, and how it ended: paid
-- (recorded once, from the notification or the order query, in the transaction that settles what it paid for),
-- closed (not paid in time) or failed (WeChat refused to create it). kind names the IPaidOrderHandler that settles
-- it; payload is that area's own reference (e.g. the months), handed back when the order is paid.
CREATE TABLE pay_orders (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    out_trade_no    VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    kind            VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    member_id       BIGINT       NOT NULL,
    amount_fen      INT          NOT NULL,
    description     VARCHAR(127) NOT NULL,
    payload         TEXT         NOT NULL,
    payer_openid    VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    prepay_id       VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    state           VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at      DATETIME(6)  NOT NULL,
    expires_at      DATETIME(6)  NOT NULL,
    transaction_id  VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    paid_at         DATETIME(6)  NULL,
    settled         TINYINT(1)   NULL,
    ended_at        DATETIME(6)  NULL,
    checked_at      DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_pay_orders_out_trade_no (out_trade_no),
    KEY ix_pay_orders_state_expires (state, expires_at),
    KEY ix_pay_orders_member (member_id, created_at),
    CONSTRAINT fk_pay_orders_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A refund of a paid order whose kind had already been settled by another payment: written pending in the payment's
-- transaction, sent to WeChat after it (again by the job until WeChat accepts it; out_refund_no makes that safe), done
-- when the REFUND.SUCCESS notification or the refund query says so.
CREATE TABLE pay_refunds (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    order_id        BIGINT       NOT NULL,
    out_refund_no   VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    amount_fen      INT          NOT NULL,
    reason          VARCHAR(80)  NOT NULL,
    state           VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    refund_id       VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    created_at      DATETIME(6)  NOT NULL,
    sent_at         DATETIME(6)  NULL,
    done_at         DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_pay_refunds_out_refund_no (out_refund_no),
    UNIQUE KEY ux_pay_refunds_order (order_id),
    KEY ix_pay_refunds_state (state, created_at),
    CONSTRAINT fk_pay_refunds_order FOREIGN KEY (order_id) REFERENCES pay_orders (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
