-- A reason the branch recorded for a month a member still owes (in hospital, working far away …): the month stays owed,
-- but it counts as settled for the branch's 党费收缴 task, and a month with a reason breaks the run of months that go to
-- the talk and to the community committee (six months "without a proper reason").
ALTER TABLE dues_months ADD COLUMN reason VARCHAR(200) NULL AFTER note;
