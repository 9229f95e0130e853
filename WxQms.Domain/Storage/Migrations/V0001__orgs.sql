-- The organisation tree. `path` is a materialised path of ids ('/1/5/23/'), so "the subtree of X"
-- is one range scan on ix_orgs_path: path LIKE '/1/5/%'. ascii_bin keeps the index byte-ordered.
CREATE TABLE orgs (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    parent_id   BIGINT       NULL,
    path        VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    depth       INT          NOT NULL,
    kind        VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    name        VARCHAR(100) NOT NULL,
    code        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    sort_order  INT          NOT NULL DEFAULT 0,
    created_at  DATETIME(6)  NOT NULL,
    updated_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_orgs_code (code),
    KEY ix_orgs_path (path),
    KEY ix_orgs_parent (parent_id, sort_order),
    CONSTRAINT fk_orgs_parent FOREIGN KEY (parent_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
