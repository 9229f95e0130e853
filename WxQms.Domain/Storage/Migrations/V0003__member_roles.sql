-- A role is held in an org: secretary of branch X, staff of the subdistrict, committee of community Y.
CREATE TABLE member_roles (
    member_id   BIGINT       NOT NULL,
    role        VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    org_id      BIGINT       NOT NULL,
    created_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (member_id, role, org_id),
    KEY ix_member_roles_org (org_id, role),
    CONSTRAINT fk_member_roles_member FOREIGN KEY (member_id) REFERENCES members (id),
    CONSTRAINT fk_member_roles_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
