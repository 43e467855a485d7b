"""Shared fixtures: an isolated BEDSIDE_HOME per test, the shared data folder, and a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bedside.cli import app
from bedside.config import REPO_ROOT

SHARED = Path(os.environ.get("BEDSIDE_SHARED", REPO_ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED / "data").is_dir():
        pytest.skip(f"the shared data folder {SHARED / 'data'} is not here")
    return SHARED / "data"


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An empty library home without the starter library, so a test sees only what it ingests."""
    monkeypatch.setenv("BEDSIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BEDSIDE_STARTER", "off")
    monkeypatch.delenv("BEDSIDE_DATABASE_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture(scope="session")
def starter_home(tmp_path_factory) -> Path:
    """One home with the bundled starter library loaded, shared by the tests that only read it."""
    path = tmp_path_factory.mktemp("starter-home")
    env = {"BEDSIDE_HOME": str(path), "BEDSIDE_STARTER": "on"}
    result = CliRunner().invoke(app, ["status"], env=env)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def use_starter_home(starter_home, monkeypatch) -> Path:
    monkeypatch.setenv("BEDSIDE_HOME", str(starter_home))
    monkeypatch.setenv("BEDSIDE_STARTER", "on")
    monkeypatch.delenv("BEDSIDE_DATABASE_URL", raising=False)
    return starter_home


class Run:
    """Runs the `bedside` command in-process and keeps stdout, stderr and the exit code apart."""

    def __call__(self, *args: str, input: str | None = None):
        result = CliRunner().invoke(app, list(args), input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result


@pytest.fixture
def bedside() -> Run:
    return Run()


@pytest.fixture(scope="session")
def starter_bedside(starter_home):
    """A Bedside opened on the starter home (for the web app's tests, which call it in-process)."""
    from bedside.config import Settings
    from bedside.core import Bedside

    return Bedside.open(Settings.from_env({"BEDSIDE_HOME": str(starter_home), "BEDSIDE_STARTER": "on"}))


@pytest.fixture(scope="session")
def web_server(starter_bedside) -> Iterator[str]:
    """The web app served by a real uvicorn on a free loopback port, in a thread; yields its base URL."""
    import socket
    import threading
    import time

    import uvicorn

    from bedside.web.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(starter_bedside), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
