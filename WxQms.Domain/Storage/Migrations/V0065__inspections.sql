-- Inspectors (巡查员), the inspection plan and its inspections (#19 items 2, 3, 6). An inspector is a member appointed by
-- office staff for a term (from the subdistrict or a partner unit). An inspection is one visit of a branch with the
-- checklist built when it is planned (each item citing its clause): kind 'inspection' (an inspector, planned per quarter),
-- 'self_inspection' (the branch on itself, once a quarter) or 'audit' (the yearly internal audit, every branch); one of
-- each kind per branch and quarter. Its items carry a result each once submitted; a failed item is a finding, raised
-- into the nonconformity register (its id kept on the item); photos per item in inspection_photos.
CREATE TABLE inspectors (
    id            BIGINT        NOT NULL AUTO_INCREMENT,
    member_id     BIGINT        NOT NULL,
    unit          VARCHAR(100)  NOT NULL,
    term_from     DATE          NOT NULL,
    term_to       DATE          NOT NULL,
    appointed_by  VARCHAR(64)   NOT NULL,
    appointed_at  DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    KEY ix_inspectors_member (member_id, term_to),
    CONSTRAINT fk_inspectors_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inspections (
    id                   BIGINT         NOT NULL AUTO_INCREMENT,
    kind                 VARCHAR(16)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    org_id               BIGINT         NOT NULL,
    year                 INT            NOT NULL,
    quarter              INT            NOT NULL,
    inspector_member_id  BIGINT         NULL,
    state                VARCHAR(16)    CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    planned_by           VARCHAR(64)    NOT NULL,
    planned_at           DATETIME(6)    NOT NULL,
    summary              VARCHAR(1000)  NULL,
    submitted_by         VARCHAR(64)    NULL,
    submitted_at         DATETIME(6)    NULL,
    row_version          INT            NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    UNIQUE KEY ux_inspections_slot (kind, org_id, year, quarter),
    KEY ix_inspections_year (year, quarter, kind),
    KEY ix_inspections_inspector (inspector_member_id, year),
    CONSTRAINT fk_inspections_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inspection_items (
    inspection_id     BIGINT         NOT NULL,
    item_no           INT            NOT NULL,
    duty_code         VARCHAR(48)    CHARACTER SET ascii COLLATE ascii_bin NULL,
    clause            VARCHAR(100)   NOT NULL,
    text              VARCHAR(300)   NOT NULL,
    result            VARCHAR(8)     CHARACTER SET ascii COLLATE ascii_bin NULL,
    severity          VARCHAR(16)    CHARACTER SET ascii COLLATE ascii_bin NULL,
    note              VARCHAR(1000)  NULL,
    nonconformity_id  BIGINT         NULL,
    PRIMARY KEY (inspection_id, item_no),
    CONSTRAINT fk_inspection_items FOREIGN KEY (inspection_id) REFERENCES inspections (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE inspection_photos (
    id             BIGINT        NOT NULL AUTO_INCREMENT,
    inspection_id  BIGINT        NOT NULL,
    item_no        INT           NOT NULL,
    sha256         CHAR(64)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size_bytes     BIGINT        NOT NULL,
    content_type   VARCHAR(32)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    storage_path   VARCHAR(200)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    taken_at       DATETIME(6)   NULL,
    PRIMARY KEY (id),
    KEY ix_inspection_photos (inspection_id, item_no),
    KEY ix_inspection_photos_sha (sha256),
    CONSTRAINT fk_inspection_photos FOREIGN KEY (inspection_id) REFERENCES inspections (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
