"""Every job kind of the control plane, declared on `control_plane.jobs.registry` when
imported: by the server (for its in-process worker) and by `nocode worker`."""

from control_plane.foundation import account_mail, housekeeping
from control_plane.mail import sending

__all__ = ["account_mail", "housekeeping", "sending"]
