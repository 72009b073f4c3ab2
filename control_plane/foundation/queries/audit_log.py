"""SQL of the `audit_log` table."""

from __future__ import annotations

from psycopg import sql

from control_plane.foundation.models import AuditEntry
from control_plane.pagination import Listing

INSERT = """
INSERT INTO audit_log (organization_id, actor_id, action, object_type, object_id, ip,
                       user_agent, request_id, details)
VALUES (%(organization)s, %(actor)s, %(action)s, %(object_type)s, %(object_id)s, %(ip)s,
        %(user_agent)s, %(request_id)s, %(details)s)
"""

# The organisation's entries, newest first; each filter left None matches every entry.
ENTRIES = Listing(
    row=AuditEntry,
    columns=sql.SQL(
        "id, actor_id, action, object_type, object_id, ip, user_agent, request_id, "
        "details, created_at"
    ),
    source=sql.SQL("""
    FROM audit_log
    WHERE organization_id = %(organization)s
      AND (%(action)s::text IS NULL OR action = %(action)s)
      AND (%(actor)s::uuid IS NULL OR actor_id = %(actor)s)
      AND (%(object_type)s::text IS NULL OR object_type = %(object_type)s)
      AND (%(object_id)s::text IS NULL OR object_id = %(object_id)s)
      AND (%(since)s::timestamptz IS NULL OR created_at >= %(since)s)
      AND (%(until)s::timestamptz IS NULL OR created_at < %(until)s)
    """),
    order=sql.SQL("created_at DESC, id DESC"),
)
