"""`nocode serve` runs jobs by itself: one worker, in one of its server processes, that
runs the Foundation's housekeeping job."""

from __future__ import annotations

import asyncio

from tests.control_plane.conftest import Api, Inbox, run_housekeeping


def test_the_server_runs_jobs_with_one_worker(api: Api, inbox: Inbox) -> None:
    user = api.new_user("tidy")
    api.http.post("/auth/password-reset/", json={"email": user.email})
    inbox.wait_for(user.email, "Reset your password")
    api.query(
        "UPDATE one_time_tokens SET expires_at = now() - interval '2 days' WHERE user_id = %s",
        user.id,
    )
    mails = "SELECT count(*) FROM mail_outbox WHERE recipient = %s"
    api.query(
        "UPDATE mail_outbox SET created_at = now() - interval '8 days' WHERE recipient = %s",
        user.email,
    )
    assert api.query(mails, user.email) == [(2,)]  # the verification and the reset
    log = asyncio.run(run_housekeeping(api.server.database_url))
    assert any(line.startswith("deleted") and "one-time tokens" in line for line in log)
    assert api.query("SELECT count(*) FROM one_time_tokens WHERE user_id = %s", user.id) == [(0,)]
    assert api.query(mails, user.email) == [(0,)]
    # One server, two processes (one per CPU here), one job worker between them.
    workers = api.query("SELECT count(*) FROM procrastinate_workers")
    assert workers == [(1,)]
