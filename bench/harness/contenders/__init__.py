"""The contenders, by the name used on the command line."""

from __future__ import annotations

from .base import Contender
from .directus import Directus
from .fastcrud import FastCrud
from .ours import Ours, OursWithoutEvents
from .platformatic import Platformatic

CONTENDERS: dict[str, type[Contender]] = {
    cls.name: cls for cls in (Ours, OursWithoutEvents, FastCrud, Platformatic, Directus)
}

__all__ = ["CONTENDERS", "Contender"]
