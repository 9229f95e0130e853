-- A wish's photos: the wisher's (stage 'wish') and the claimer's proof (stage 'fulfil'). Each is sent to
-- WeChat's asynchronous image check; its verdict arrives as a wxa_media_check push, kept in media_checks
-- under trace_id. A photo is shown publicly only once its verdict is a pass. trace_id is NULL when no check
-- could be started (the poster has no mini-program identity): staff look at it themselves.
CREATE TABLE wish_photos (
    id            BIGINT        NOT NULL AUTO_INCREMENT,
    wish_id       BIGINT        NOT NULL,
    stage         VARCHAR(8)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sort_order    INT           NOT NULL,
    sha256        CHAR(64)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size_bytes    BIGINT        NOT NULL,
    content_type  VARCHAR(32)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    storage_path  VARCHAR(255)  NOT NULL,
    trace_id      VARCHAR(128)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    created_at    DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_wish_photos_order (wish_id, stage, sort_order),
    KEY ix_wish_photos_trace (trace_id),
    KEY ix_wish_photos_sha (sha256),
    CONSTRAINT fk_wish_photos_wish FOREIGN KEY (wish_id) REFERENCES wishes (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
