-- The register of nonconformities (不符合项, ISO 9001 8.7/10.2) and their corrective action (CAPA, 纠正措施). One row per
-- finding, raised once per (source, source_ref): an inspection's, a self-inspection's or the internal audit's finding,
-- or one raised by rule from the task data. The row holds the current cycle of its corrective action (cause,
-- countermeasure, due date, completion, the check); every step is kept in nonconformity_steps (the trail), its photos
-- in nonconformity_photos. row_version refuses a stale update.
CREATE TABLE nonconformities (
    id                   BIGINT         NOT NULL AUTO_INCREMENT,
    org_id               BIGINT         NOT NULL,
    source               VARCHAR(16)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    source_ref           VARCHAR(64)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    clause               VARCHAR(100)   NULL,
    severity             VARCHAR(16)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    description          VARCHAR(1000)  NOT NULL,
    state                VARCHAR(16)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    cycle                INT            NOT NULL DEFAULT 1,
    cause                VARCHAR(1000)  NULL,
    action_text          VARCHAR(1000)  NULL,
    action_due_on        DATE           NULL,
    completed_on         DATE           NULL,
    check_due_on         DATE           NULL,
    raised_at            DATETIME(6)    NOT NULL,
    raised_by            VARCHAR(64)    NOT NULL,
    raised_by_member_id  BIGINT         NULL,
    closed_at            DATETIME(6)    NULL,
    row_version          INT            NOT NULL DEFAULT 1,
    updated_at           DATETIME(6)    NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_nonconformities_source (source, source_ref),
    KEY ix_nonconformities_org_state (org_id, state),
    KEY ix_nonconformities_state (state, action_due_on),
    CONSTRAINT fk_nonconformities_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE nonconformity_steps (
    id                BIGINT         NOT NULL AUTO_INCREMENT,
    nonconformity_id  BIGINT         NOT NULL,
    kind              VARCHAR(16)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    cycle             INT            NOT NULL,
    cause             VARCHAR(1000)  NULL,
    note              VARCHAR(1000)  NULL,
    due_on            DATE           NULL,
    actor             VARCHAR(64)    NOT NULL,
    member_id         BIGINT         NULL,
    created_at        DATETIME(6)    NOT NULL,
    PRIMARY KEY (id),
    KEY ix_nonconformity_steps (nonconformity_id, id),
    CONSTRAINT fk_nonconformity_steps FOREIGN KEY (nonconformity_id) REFERENCES nonconformities (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE nonconformity_photos (
    id            BIGINT        NOT NULL AUTO_INCREMENT,
    step_id       BIGINT        NOT NULL,
    sha256        CHAR(64)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size_bytes    BIGINT        NOT NULL,
    content_type  VARCHAR(32)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    storage_path  VARCHAR(200)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    taken_at      DATETIME(6)   NULL,
    PRIMARY KEY (id),
    KEY ix_nonconformity_photos_step (step_id),
    KEY ix_nonconformity_photos_sha (sha256),
    CONSTRAINT fk_nonconformity_photos_step FOREIGN KEY (step_id) REFERENCES nonconformity_steps (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
