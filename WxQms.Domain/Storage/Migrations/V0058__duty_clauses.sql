-- Controlled documents (#19 item 1): the clause a catalogue duty follows, a document's number and a section
-- (DFL-QP-03 §4.2), kept per duty (every version of it cites the same clause) and set by office staff in the
-- console. No row: the duty cites no clause yet. The task page links it to /h5/documents/{number}#{section}.
CREATE TABLE duty_clauses (
    code              VARCHAR(48)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    document_number   VARCHAR(32)   CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
    section           VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    set_by            VARCHAR(64)   NOT NULL,
    set_at            DATETIME(6)   NOT NULL,
    PRIMARY KEY (code)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
