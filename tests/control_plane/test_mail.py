"""Mail through the outbox, on real servers: a request never waits on the SMTP server nor
fails with it, a mail that cannot be sent is retried and visible in `mail_outbox`, and with
no SMTP server configured mail is kept for `nocode mail`."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from control_plane.jobs import enqueue
from control_plane.mail import outbox, sending
from tests.conftest import free_port, fresh_database, nocode
from tests.control_plane.conftest import (
    FOUNDATION,
    PASSWORD,
    Api,
    Inbox,
    serve,
    smtp_server,
)

SAMPLES = 20


def _medians(path: str, api: Api, emails: dict[str, str]) -> dict[str, float]:
    """Median seconds of SAMPLES posts of each email to `path`, interleaved so that both
    see the same load on the machine."""
    durations: dict[str, list[float]] = {who: [] for who in emails}
    for _ in range(SAMPLES):
        for who, email in emails.items():
            started = time.perf_counter()
            response = api.http.post(path, json={"email": email})
            durations[who].append(time.perf_counter() - started)
            assert response.status_code == 202, response.text
    return {who: statistics.median(seconds) for who, seconds in durations.items()}


def _first_row(api: Api, query: str, *params: Any, until: Callable[[Any], bool]) -> Any:
    """The first row of `query`, once `until(row)` holds (the job runs beside us)."""
    deadline = time.monotonic() + 20
    while True:
        rows = api.query(query, *params)
        if rows and until(rows[0]):
            return rows[0]
        assert time.monotonic() < deadline, f"{query} {params}: {rows}"
        time.sleep(0.1)


def _outbox_row(api: Api, recipient: str, subject: str, until: Callable[[Any], bool]) -> Any:
    """The outbox row of that mail, once `until(row)` holds."""
    return _first_row(
        api,
        "SELECT id, status, attempts, last_error FROM mail_outbox "
        "WHERE recipient = %s AND subject LIKE %s ORDER BY id DESC LIMIT 1",
        recipient,
        f"%{subject}%",
        until=until,
    )


@pytest.fixture(scope="module")
def slow_api(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """A `nocode serve` whose SMTP server takes half a second to accept each message."""
    with smtp_server(Inbox(delay_seconds=0.5)) as inbox:
        server = serve(fresh_database(pg_server), inbox, tmp_path_factory.mktemp("slow"))
        try:
            yield Api(server, inbox)
        finally:
            server.stop()


def test_a_slow_smtp_server_slows_no_request(slow_api: Api) -> None:
    user = slow_api.new_user("patient")
    started = time.perf_counter()
    for _ in range(4):
        reset = slow_api.http.post("/auth/password-reset/", json={"email": user.email})
        assert reset.status_code == 202, reset.text
    assert time.perf_counter() - started < 1  # the SMTP server alone takes 2 s for them
    slow_api.inbox.wait_for(user.email, "Reset your password", timeout=30)
    _outbox_row(slow_api, user.email, "Confirm your email", until=lambda row: row[1] == "sent")


def test_answers_cost_the_same_with_or_without_an_account(slow_api: Api) -> None:
    """Medians of 20: with an account or without, the request queues one job; the job
    looks the account up and queues the mail, which the slow SMTP server takes later."""
    user = slow_api.new_user("timed")  # registered, not verified: a resend sends a mail
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    emails = {"known": user.email, "unknown": unknown}
    for path in ("/auth/password-reset/", "/auth/verify-email/resend/"):
        medians = _medians(path, slow_api, emails)
        print(path, {who: f"{seconds * 1000:.1f} ms" for who, seconds in medians.items()})
        assert abs(medians["known"] - medians["unknown"]) < 0.010, (path, medians)


def test_an_smtp_server_that_refuses_is_retried_and_visible(
    pg_server: str, inbox: Inbox, tmp_path: Path
) -> None:
    nothing_listens = str(free_port())
    server = serve(fresh_database(pg_server), inbox, tmp_path, smtp_port=nothing_listens)
    try:
        api = Api(server, inbox)
        started = time.perf_counter()
        user = api.new_user("unlucky")  # registers: the verification mail cannot be sent
        assert time.perf_counter() - started < 2
        mail_id, status, attempts, error = _outbox_row(
            api, user.email, "Confirm your email", until=lambda row: row[2] >= 1
        )
        assert (status, attempts) == ("queued", 1)
        assert "ConnectionRefusedError" in error
        # Its job waits for the retry (backoff), with the error of the attempt recorded.
        jobs = api.query(
            "SELECT j.status::text, j.scheduled_at > now(), a.error FROM procrastinate_jobs AS j "
            "JOIN job_attempts AS a ON a.job_id = j.id "
            "WHERE j.task_name = 'mail.send' AND j.args -> 'payload' ->> 'mail_id' = %s",
            str(mail_id),
        )
        assert jobs == [("todo", True, error)]
        assert "ERROR" not in server.log.read_text()  # a retry is a warning

        # At its last attempt, the mail is marked failed, and that is an ERROR.
        last_chance = asyncio.run(_queue_mail(server.database_url, user.email, max_attempts=1))
        _, status, attempts, error = _outbox_row(
            api, user.email, "Last chance", until=lambda row: row[1] != "queued"
        )
        assert (status, attempts) == ("failed", 1) and "ConnectionRefusedError" in error
        # The job ends just after the task marked the mail: it was seen still `doing`.
        job = _first_row(
            api,
            "SELECT status::text FROM procrastinate_jobs WHERE id = %s",
            last_chance,
            until=lambda row: row[0] != "doing",
        )
        assert job == ("failed",)
        assert "ERROR" in server.log.read_text()
    finally:
        server.stop()


async def _queue_mail(database_url: str, recipient: str, max_attempts: int) -> int:
    """A mail queued as `send_later` does, with a job allowed `max_attempts`; its job id."""
    # Not autocommit: both statements commit together when the block ends.
    async with await psycopg.AsyncConnection.connect(database_url) as connection:
        mail_id = await outbox.add(connection, recipient, "Last chance", "body\n")
        return await enqueue(
            connection, sending.send, {"mail_id": mail_id}, max_attempts=max_attempts
        )


def test_a_header_that_cannot_be_written_is_no_500_and_no_half_write(api: Api) -> None:
    """Names are refused with a line break now; one stored before (or by hand) makes the
    invitation's mail fail in its job, visibly, while the invitation itself stands."""
    owner = api.new_user("legacy")
    organization = api.new_organization(owner)
    injected = "Acme\nBcc: evil@example.com"
    api.query("UPDATE organizations SET name = %s WHERE id = %s", injected, uuid.UUID(organization))
    guest = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    invited = api.http.post(
        f"/organizations/{organization}/invitations/",
        headers=owner.headers,
        json={"email": guest},
    )
    assert invited.status_code == 201, invited.text
    pending = api.http.get(f"/organizations/{organization}/invitations/", headers=owner.headers)
    assert [item["email"] for item in pending.json()["results"]] == [guest]
    _, status, attempts, error = _outbox_row(
        api, guest, "You are invited", until=lambda row: row[2] >= 1
    )
    assert (status, attempts) == ("queued", 1)
    assert "linefeed" in error
    assert all("evil@example.com" not in str(m["Bcc"]) for m in api.inbox.messages)


def test_without_smtp_mail_is_kept_and_read_with_nocode_mail(tmp_path: Path) -> None:
    """A fresh install: the embedded PostgreSQL, no SMTP server; `nocode mail` shows the
    verification link, and the link's token verifies the address."""
    data_dir = tmp_path / "data"
    server = serve(None, None, data_dir)
    try:
        assert "emails are kept in the outbox" in server.log.read_text()
        email = f"fresh-{uuid.uuid4().hex[:8]}@example.com"
        base = f"{server.base_url}{FOUNDATION}"
        registered = httpx.post(
            f"{base}/auth/register/client/",
            json={"email": email, "password": PASSWORD, "first_name": "Fresh"},
        )
        assert registered.status_code == 201, registered.text

        deadline = time.monotonic() + 20
        while True:
            listed = nocode("mail", "--data-dir", str(data_dir))
            assert listed.returncode == 0, listed.stderr
            if " kept " in listed.stdout:
                break
            assert time.monotonic() < deadline, listed.stdout
            time.sleep(0.2)
        assert email in listed.stdout and "Confirm your email address" in listed.stdout
        found = re.search(r"^\s*(\d+)\s.*" + re.escape(email), listed.stdout, re.MULTILINE)
        assert found, listed.stdout
        link = re.search(r"http://cp\.test/verify-email\?token=([\w-]+)", listed.stdout)
        assert link, listed.stdout

        shown = nocode("mail", found.group(1), "--data-dir", str(data_dir))
        assert shown.returncode == 0, shown.stderr
        assert f"To: {email}" in shown.stdout and "status: kept" in shown.stdout
        assert link.group(0) in shown.stdout

        verified = httpx.post(f"{base}/auth/verify-email/", json={"token": link.group(1)})
        assert verified.status_code == 200, verified.text
        assert verified.json()["email_verified"] is True
        assert "ERROR" not in server.log.read_text()

        missing = nocode("mail", "999999", "--data-dir", str(data_dir))
        assert missing.returncode == 1
        assert missing.stderr.splitlines()[-1] == "error: no mail 999999 in the outbox"
    finally:
        server.stop()
