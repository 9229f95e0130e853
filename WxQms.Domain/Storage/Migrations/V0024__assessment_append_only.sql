-- Snapshots are immutable like audit_log: nobody updates or deletes a closed month, the application included.
CREATE TRIGGER assessment_closes_no_update BEFORE UPDATE ON assessment_closes FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'assessment snapshots are append-only';
CREATE TRIGGER assessment_closes_no_delete BEFORE DELETE ON assessment_closes FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'assessment snapshots are append-only';
CREATE TRIGGER assessment_org_results_no_update BEFORE UPDATE ON assessment_org_results FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'assessment snapshots are append-only';
CREATE TRIGGER assessment_org_results_no_delete BEFORE DELETE ON assessment_org_results FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'assessment snapshots are append-only';
CREATE TRIGGER assessment_member_results_no_update BEFORE UPDATE ON assessment_member_results FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'assessment snapshots are append-only';
CREATE TRIGGER assessment_member_results_no_delete BEFORE DELETE ON assessment_member_results FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'assessment snapshots are append-only';
