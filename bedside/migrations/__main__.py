"""``python -m bedside.migrations [upgrade|current|history]``: the store named by BEDSIDE_DATABASE_URL."""

from __future__ import annotations

import sys

from bedside.config import Settings
from bedside.library.store import make_engine, normalise_url
from bedside.migrations import config, current_revision, upgrade


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "upgrade"
    engine = make_engine(normalise_url(Settings.from_env().database_url))
    if action == "upgrade":
        upgrade(engine)
        print(current_revision(engine))
    elif action == "current":
        print(current_revision(engine))
    elif action == "history":
        from alembic import command

        command.history(config(engine))
    else:
        print(f"unknown action {action!r}; use upgrade, current or history", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
