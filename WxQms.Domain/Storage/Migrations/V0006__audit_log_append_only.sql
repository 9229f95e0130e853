-- Single-statement trigger bodies need no DELIMITER, so the file runs the same on MariaDB and MySQL 8.
-- (MySQL 8 with binary logging on needs log_bin_trust_function_creators=1 or SUPER to create triggers.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';
