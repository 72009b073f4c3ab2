-- The mail outbox: every email the control plane sends is a row here, written in the
-- transaction of the change it tells about, then delivered by a `mail.send` job.
-- status: queued (waiting or between retries), sent (accepted by the SMTP server),
-- kept (no SMTP server configured: kept here, read with `nocode mail`), failed (gave up).
CREATE TABLE mail_outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sent', 'kept', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
);
CREATE INDEX mail_outbox_created_idx ON mail_outbox (created_at DESC, id DESC);
