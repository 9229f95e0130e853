-- Attendance of a submission, one mark per member of the org's roster (present / absent / on_leave).
CREATE TABLE evidence_attendance (
    evidence_id  BIGINT      NOT NULL,
    member_id    BIGINT      NOT NULL,
    presence     VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (evidence_id, member_id),
    KEY ix_evidence_attendance_member (member_id),
    CONSTRAINT fk_evidence_attendance_evidence FOREIGN KEY (evidence_id) REFERENCES task_evidence (id),
    CONSTRAINT fk_evidence_attendance_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
