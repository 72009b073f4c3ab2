-- Automation's triggers (docs/automation.md, "Triggers and platform events").

-- Reading platform_events in id order loses events: ids are taken at insert, but
-- transactions commit in any order, so a reader that moved its cursor past id 11 would
-- never see id 10 committed a moment later. Each event keeps the id of the transaction
-- that wrote it; consumers read in (transaction_id, id) order and only the events of
-- transactions older than every one still running (pg_snapshot_xmin), whose rows are all
-- visible and can no longer change.
ALTER TABLE platform_events
    ADD COLUMN transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX platform_events_transaction_idx ON platform_events (transaction_id, id);

-- A consumer's position in that order: (last_transaction_id, last_event_id).
ALTER TABLE platform_event_cursors
    ADD COLUMN last_transaction_id xid8 NOT NULL DEFAULT '0';
INSERT INTO platform_event_cursors (consumer) VALUES ('automation');

-- Ticks older than a day are pruned by the cron dispatcher.
CREATE INDEX automation_cron_ticks_due_idx ON automation_cron_ticks (due_at);
