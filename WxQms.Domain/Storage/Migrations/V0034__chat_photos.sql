-- Photos a secretary or party-affairs worker sends in the official-account chat (issue #7). A burst of
-- photos from one user becomes one set: open_key ("app:openid") is unique while the set still takes
-- photos, so concurrent deliveries of one burst all land in the same set; it is cleared when the set
-- closes (a quiet gap, or nine photos). After the acknowledgement the chat-photos job settles each
-- closed set once (claimed under a lease): attaches it to the task in hand, or asks which task.
CREATE TABLE chat_photo_sets (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    app_id        VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    openid        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    member_id     BIGINT       NOT NULL,
    open_key      VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NULL,
    status        VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    photo_count   INT          NOT NULL DEFAULT 0,
    task_id       BIGINT       NULL,
    options       TEXT         NULL,
    first_at      DATETIME(6)  NOT NULL,
    last_at       DATETIME(6)  NOT NULL,
    settled_at    DATETIME(6)  NULL,
    locked_by     VARCHAR(100) NULL,
    locked_until  DATETIME(6)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_chat_photo_sets_open (open_key),
    KEY ix_chat_photo_sets_due (status, last_at),
    KEY ix_chat_photo_sets_user (app_id, openid, id),
    CONSTRAINT fk_chat_photo_sets_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Which delivered photo belongs to which set (the photo itself arrives in inbound_media once downloaded).
CREATE TABLE chat_photos (
    inbound_id   BIGINT       NOT NULL,
    set_id       BIGINT       NOT NULL,
    received_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (inbound_id),
    KEY ix_chat_photos_set (set_id),
    CONSTRAINT fk_chat_photos_inbound FOREIGN KEY (inbound_id) REFERENCES wechat_inbound (id),
    CONSTRAINT fk_chat_photos_set FOREIGN KEY (set_id) REFERENCES chat_photo_sets (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Evidence photos that came through the chat (source: chat), checked and stored by hash like uploads,
-- kept against their task until the branch finishes the evidence in the mini program, which then
-- includes them in its submission (used_by_evidence_id).
CREATE TABLE task_chat_photos (
    id                   BIGINT       NOT NULL AUTO_INCREMENT,
    task_id              BIGINT       NOT NULL,
    set_id               BIGINT       NOT NULL,
    member_id            BIGINT       NOT NULL,
    sha256               CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size_bytes           BIGINT       NOT NULL,
    content_type         VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    storage_path         VARCHAR(255) NOT NULL,
    taken_at             DATETIME(6)  NULL,
    received_at          DATETIME(6)  NOT NULL,
    used_by_evidence_id  BIGINT       NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_task_chat_photos (task_id, sha256),
    KEY ix_task_chat_photos_set (set_id),
    CONSTRAINT fk_task_chat_photos_task FOREIGN KEY (task_id) REFERENCES tasks (id),
    CONSTRAINT fk_task_chat_photos_set FOREIGN KEY (set_id) REFERENCES chat_photo_sets (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
