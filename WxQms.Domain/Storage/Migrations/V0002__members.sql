-- Party members. org_id is the most specific org the member sits in (a party group or a branch;
-- staff sit at the subdistrict). Phone is unique when present: it links a WeChat user to a member.
CREATE TABLE members (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    org_id      BIGINT       NOT NULL,
    name        VARCHAR(50)  NOT NULL,
    sex         VARCHAR(8)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    birth_date  DATE         NULL,
    joined_on   DATE         NULL,
    status      VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    phone       VARCHAR(20)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    retired     BOOL         NOT NULL DEFAULT FALSE,
    mobile      BOOL         NOT NULL DEFAULT FALSE,
    code        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    created_at  DATETIME(6)  NOT NULL,
    updated_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_members_code (code),
    UNIQUE KEY ux_members_phone (phone),
    KEY ix_members_org (org_id, status),
    CONSTRAINT fk_members_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
