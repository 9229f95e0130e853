-- Controlled documents (#19 item 1, ISO 9001 7.5): the register of the three levels (质量手册 manual, 程序文件
-- procedure, 工作规范 work instruction) and of the external regulations they rest on, each with its versions. A
-- version is written as a draft (Markdown), approved, put in force and at last made obsolete; putting one in force
-- makes the one before it obsolete in the same transaction, so at most one version of a document is in force (the
-- unique key on in_force_document_id says so to the database too: it holds the document's id only while in force).
CREATE TABLE documents (
    id              BIGINT        NOT NULL AUTO_INCREMENT,
    number          VARCHAR(32)   CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
    title           VARCHAR(100)  NOT NULL,
    level           VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    owner_org_id    BIGINT        NULL,
    owner_person    VARCHAR(32)   NOT NULL,
    created_at      DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_documents_number (number),
    CONSTRAINT fk_documents_owner_org FOREIGN KEY (owner_org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE document_versions (
    id                     BIGINT        NOT NULL AUTO_INCREMENT,
    document_id            BIGINT        NOT NULL,
    version                INT           NOT NULL,
    status                 VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    body                   MEDIUMTEXT    NOT NULL,
    change_reason          VARCHAR(500)  NOT NULL,
    drafted_by             VARCHAR(64)   NOT NULL,
    drafted_by_member_id   BIGINT        NULL,
    drafted_at             DATETIME(6)   NOT NULL,
    approved_by            VARCHAR(64)   NULL,
    approved_by_member_id  BIGINT        NULL,
    approved_at            DATETIME(6)   NULL,
    in_force_on            DATE          NULL,
    obsolete_on            DATE          NULL,
    in_force_document_id   BIGINT        NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_document_versions_version (document_id, version),
    UNIQUE KEY ux_document_versions_in_force (in_force_document_id),
    CONSTRAINT fk_document_versions_document FOREIGN KEY (document_id) REFERENCES documents (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
