-- Photos of a submission, stored by content hash (the same photo twice in one submission counts once).
CREATE TABLE evidence_photos (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    evidence_id   BIGINT       NOT NULL,
    sha256        CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size_bytes    BIGINT       NOT NULL,
    content_type  VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    storage_path  VARCHAR(255) NOT NULL,
    created_at    DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_evidence_photos (evidence_id, sha256),
    CONSTRAINT fk_evidence_photos_evidence FOREIGN KEY (evidence_id) REFERENCES task_evidence (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
