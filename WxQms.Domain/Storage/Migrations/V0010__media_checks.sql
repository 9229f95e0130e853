-- Verdicts of WeChat's asynchronous content check (media_check_async → wxa_media_check push),
-- keyed by the trace_id WeChat returned when the check started. Evidence photos look theirs up here.
CREATE TABLE media_checks (
    trace_id    VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    app_id      VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    openid      VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    suggest     VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    label       VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    checked_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (trace_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
