-- Member development (发展党员, #17): a person on the way to membership (not yet a member: an applicant record, linked to
-- her WeChat user when she has one) and the 25 steps recorded one by one, each with its evidence. Admission (step 17)
-- creates her member record (member_id); full membership (step 24) sets the member's party standing date.
CREATE TABLE dev_applicants (
    id                  BIGINT       NOT NULL AUTO_INCREMENT,
    org_id              BIGINT       NOT NULL,
    name                VARCHAR(50)  NOT NULL,
    sex                 VARCHAR(8)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    birth_date          DATE         NOT NULL,
    phone               VARCHAR(20)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    wechat_user_id      BIGINT       NULL,
    member_id           BIGINT       NULL,
    last_step           INT          NOT NULL DEFAULT 0,
    last_step_on        DATE         NULL,
    extension_months    INT          NOT NULL DEFAULT 0,
    actor               VARCHAR(64)  NOT NULL,
    created_at          DATETIME(6)  NOT NULL,
    updated_at          DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_dev_applicants_org (org_id, last_step),
    KEY ix_dev_applicants_wechat_user (wechat_user_id),
    KEY ix_dev_applicants_member (member_id),
    CONSTRAINT fk_dev_applicants_org FOREIGN KEY (org_id) REFERENCES orgs (id),
    CONSTRAINT fk_dev_applicants_wechat_user FOREIGN KEY (wechat_user_id) REFERENCES wechat_users (id),
    CONSTRAINT fk_dev_applicants_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per recorded step (a step recorded again, such as a half-yearly assessment or a re-deliberation, is a new row).
-- evidence: the people (introducers, contacts), the vote, the training, the conclusion, a note, and the warnings the
-- rules gave when it was recorded (JSON).
CREATE TABLE dev_steps (
    id                  BIGINT       NOT NULL AUTO_INCREMENT,
    applicant_id        BIGINT       NOT NULL,
    step                INT          NOT NULL,
    occurred_on         DATE         NOT NULL,
    evidence            TEXT         NOT NULL,
    recorded_by         VARCHAR(64)  NOT NULL,
    recorded_by_member_id BIGINT     NULL,
    created_at          DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_dev_steps_applicant (applicant_id, id),
    KEY ix_dev_steps_step (step, occurred_on),
    CONSTRAINT fk_dev_steps_applicant FOREIGN KEY (applicant_id) REFERENCES dev_applicants (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Documents and photos of a step (the application, the 志愿书, the meeting), stored by content hash like evidence photos.
CREATE TABLE dev_step_photos (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    step_id         BIGINT       NOT NULL,
    sha256          CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size_bytes      BIGINT       NOT NULL,
    content_type    VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    storage_path    VARCHAR(255) NOT NULL,
    taken_at        DATETIME(6)  NULL,
    PRIMARY KEY (id),
    KEY ix_dev_step_photos_step (step_id),
    CONSTRAINT fk_dev_step_photos_step FOREIGN KEY (step_id) REFERENCES dev_steps (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- Party standing (党龄) counts from the day probation ends and the member becomes a full member.
ALTER TABLE members ADD COLUMN party_standing_on DATE NULL AFTER admitted_on;
