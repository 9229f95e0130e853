-- The roster import (#16): the date a member was admitted as a probationary member (接收预备党员日期). A probationary
-- member has one; joined_on stays the date of joining the Party (入党日期) as the roster records it.
ALTER TABLE members ADD COLUMN admitted_on DATE NULL AFTER joined_on;
