-- Porter schema version 9: whether a stored message has 8-bit bytes, recorded at receipt (1 = yes,
-- 0 = no), so that delivery need not read the body again to decide BODY=8BITMIME. Messages stored
-- before this version have NULL: unknown, delivery scans them as it always did.

ALTER TABLE messages ADD COLUMN eight_bit SMALLINT;
