"""Where Runtime keeps an app's files in the control plane's data folder (NOCODE_DATA_DIR).

<data_dir>/apps/<app_id>/repository/   the app's Git repository (branch main): every
                                       generation a commit, every release a tag
<data_dir>/local/                      the local deployment target (deployment.local)
<data_dir>/targets/<target_id>.known_hosts   an SSH target's host key, recorded on first use
"""

from __future__ import annotations

import uuid
from pathlib import Path


def app_folder(data_dir: Path, app_id: uuid.UUID) -> Path:
    return data_dir / "apps" / str(app_id)


def repository_dir(data_dir: Path, app_id: uuid.UUID) -> Path:
    return app_folder(data_dir, app_id) / "repository"


def local_target_dir(data_dir: Path) -> Path:
    return data_dir / "local"


def known_hosts(data_dir: Path, target_id: uuid.UUID) -> Path:
    return data_dir / "targets" / f"{target_id}.known_hosts"


def instance_name(app_id: uuid.UUID, environment: str) -> str:
    """The name of an app's instance in an environment, on any target."""
    return f"{app_id}-{environment}"
