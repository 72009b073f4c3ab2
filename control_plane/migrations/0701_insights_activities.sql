-- Insights' tracking and activities (docs/insights.md, "Tracking" and "Activities").

-- Where an activity comes from: 'audit_log', 'platform_events', 'runs', 'jobs' (the
-- collector), 'api' (POST /activities/); NULL for a tracked event.
ALTER TABLE insights_events ADD COLUMN source text;

-- The activity collector reads each source in commit order, as Automation reads
-- platform_events (0640_automation_triggers.sql explains why id order loses rows): every
-- row keeps the id of the transaction that wrote it (or finished it), and the collector
-- reads only the transactions older than every one still running (pg_snapshot_xmin).
ALTER TABLE audit_log ADD COLUMN transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX audit_log_transaction_idx ON audit_log (transaction_id, id);

-- A run (deployment, rollback, workflow execution) and a job attempt (a generation) are
-- activities when they finish: the transaction that finished them is kept (a run may be
-- written finished at once: a workflow refused at its start).
ALTER TABLE runs ADD COLUMN finished_transaction_id xid8;
CREATE INDEX runs_finished_transaction_idx ON runs (finished_transaction_id, id)
    WHERE finished_transaction_id IS NOT NULL;

ALTER TABLE job_attempts ADD COLUMN finished_transaction_id xid8;
CREATE INDEX job_attempts_finished_transaction_idx
    ON job_attempts (finished_transaction_id, job_id, attempt)
    WHERE finished_transaction_id IS NOT NULL;

CREATE FUNCTION insights_mark_run_finished() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IN ('success', 'failed', 'cancelled') AND NEW.finished_transaction_id IS NULL
    THEN
        NEW.finished_transaction_id := pg_current_xact_id();
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER insights_run_finished BEFORE INSERT OR UPDATE OF status ON runs
    FOR EACH ROW EXECUTE FUNCTION insights_mark_run_finished();

CREATE FUNCTION insights_mark_attempt_finished() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.finished_at IS NOT NULL AND NEW.finished_transaction_id IS NULL THEN
        NEW.finished_transaction_id := pg_current_xact_id();
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER insights_attempt_finished BEFORE UPDATE OF finished_at ON job_attempts
    FOR EACH ROW EXECUTE FUNCTION insights_mark_attempt_finished();

-- Wakes the collector at the commit of a write it reads (a pass LISTENs; its schedule
-- catches a lost notification). NOTIFY is sent once per transaction whatever the rows.
CREATE FUNCTION insights_wake_collector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('insights_activities', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER insights_wake_on_audit AFTER INSERT ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION insights_wake_collector();
CREATE TRIGGER insights_wake_on_platform_event AFTER INSERT ON platform_events
    FOR EACH STATEMENT EXECUTE FUNCTION insights_wake_collector();
CREATE TRIGGER insights_wake_on_run AFTER INSERT OR UPDATE OF status ON runs
    FOR EACH STATEMENT EXECUTE FUNCTION insights_wake_collector();
CREATE TRIGGER insights_wake_on_attempt AFTER UPDATE OF finished_at ON job_attempts
    FOR EACH STATEMENT EXECUTE FUNCTION insights_wake_collector();

-- The collector starts with what is written from now on: the history before this
-- migration stays in the audit log and the run ledger, not replayed as activities (the
-- rows given this transaction's id above come before these positions).
INSERT INTO insights_cursors (source, position) VALUES
    ('audit_log', jsonb_build_object('transaction', pg_current_xact_id()::text,
                                     'id', 9223372036854775807)),
    ('platform_events', jsonb_build_object('transaction', pg_current_xact_id()::text,
                                           'id', 9223372036854775807)),
    ('runs', jsonb_build_object('transaction', pg_current_xact_id()::text,
                                'id', 'ffffffff-ffff-ffff-ffff-ffffffffffff')),
    ('jobs', jsonb_build_object('transaction', pg_current_xact_id()::text,
                                'job', 9223372036854775807, 'attempt', 2147483647));

-- The activities of one user (a CLIENT's own feed).
CREATE INDEX insights_events_user_activity_idx
    ON insights_events (organization_id, user_id, occurred_at DESC, id DESC)
    WHERE kind = 'activity';
