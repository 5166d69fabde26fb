-- Porter schema version 5: Return-Path and Delivered-To on local delivery (issue 19 item 4).
-- A message body is stored once and shared by every mailbox entry it was delivered to, but
-- Delivered-To differs per recipient: so each entry keeps its own header lines, prepended to the
-- shared body when the entry is read (size_octets counts them). Null for entries made before.
ALTER TABLE mailbox_entries ADD COLUMN header_prefix VARCHAR(2000);
