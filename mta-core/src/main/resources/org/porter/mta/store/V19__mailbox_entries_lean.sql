-- Porter schema version 19 (issue 13): one B-tree less to write for every mailbox entry. A UIDL is its message's
-- queue id and the entry's position among that message's recipients ("<queue_id>.<n>", written only by
-- MailStore.accept), and messages.queue_id is UNIQUE: so no two entries can share a UIDL, and the UNIQUE
-- constraint on mailbox_entries.uidl checked and indexed what was already true (no query looks an entry up by
-- its UIDL). The constraint's name is the engine's own (Derby: SQL..., PostgreSQL: mailbox_entries_uidl_key):
-- the migration looks it up. The other indexes stay: the primary key (POP3 reads by id), (user_id, id) for a
-- mailbox's list in order, message_id for the last reference's removal, and the foreign keys to users and
-- messages, which keep an entry from outliving its user or its message when a removal races a delivery.
ALTER TABLE mailbox_entries DROP CONSTRAINT ${UNIQUE_CONSTRAINT mailbox_entries uidl};
