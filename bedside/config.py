"""Every setting in one place, read from the environment.

| variable | default | meaning |
| --- | --- | --- |
| BEDSIDE_HOME | the per-user data folder | where the store, indexes and vectors live |
| BEDSIDE_DATABASE_URL | sqlite:///$BEDSIDE_HOME/bedside.db | the store (SQLite or PostgreSQL) |
| BEDSIDE_SEARCH | local | search backend: local (tantivy + numpy) or milvus |
| BEDSIDE_MILVUS_URI | $BEDSIDE_HOME/milvus.db | a Milvus Lite file or an http(s) URI of a Milvus server |
| BEDSIDE_MILVUS_TOKEN | (none) | credentials for a Milvus server: "user:password" or an API key |
| BEDSIDE_STARTER | on | load the bundled starter library into an empty store |
| BEDSIDE_STARTER_DIR | data/starter of this checkout | where the starter library is read from |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    search_backend: str
    milvus_uri: str
    use_starter: bool
    starter_dir: Path
    milvus_token: str = ""

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        home = Path(env.get("BEDSIDE_HOME") or platformdirs.user_data_dir("bedside")).expanduser()
        backend = env.get("BEDSIDE_SEARCH", "local").strip().lower()
        if backend not in ("local", "milvus"):
            raise ValueError(f"BEDSIDE_SEARCH must be 'local' or 'milvus', not {backend!r}")
        return cls(
            home=home,
            database_url=env.get("BEDSIDE_DATABASE_URL") or f"sqlite:///{home / 'bedside.db'}",
            search_backend=backend,
            milvus_uri=env.get("BEDSIDE_MILVUS_URI") or str(home / "milvus.db"),
            use_starter=env.get("BEDSIDE_STARTER", "on").strip().lower() not in ("0", "off", "no", "false"),
            starter_dir=Path(env.get("BEDSIDE_STARTER_DIR") or REPO_ROOT / "data" / "starter"),
            milvus_token=env.get("BEDSIDE_MILVUS_TOKEN", ""),
        )
