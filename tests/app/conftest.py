"""AppTest fixtures: one database per session, built by the real pipeline from the fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from pipeline.config import Settings
from tests.fixtures import build_fixture_db

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> Settings:
    return build_fixture_db(tmp_path_factory.mktemp("appdb"))


@pytest.fixture(autouse=True)
def navigation_like_the_server(monkeypatch) -> None:
    """Make AppTest run ``app.py`` (the frame) on every rerun, as the server does.

    A ``pages/`` folder beside the main script switches Streamlit's old multipage mode on; the
    server turns it off for good once ``st.navigation`` runs, but AppTest resets the flag
    before every run, and its reruns would then execute the page script alone, without the
    sidebar and filters that ``app.py`` draws.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def app(fixture_db: Settings, monkeypatch) -> Callable[..., AppTest]:
    """A factory: the app opened on ``page`` (a file name under pages/, without .py) with ``query``."""
    monkeypatch.setenv("LANDSCAPE_DB", str(fixture_db.db_path))

    def open_page(page: str | None = None, query: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(f"pages/{page}.py")
            at.run()
        return at

    return open_page


class _RecordingStorage(MemoryMediaFileStorage):
    """Streamlit's in-memory media storage, keeping every file AppTest's mock runtime receives."""

    files: dict[str, object] = {}

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None) -> str:  # noqa: ANN001
        file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
        _RecordingStorage.files[self.get_url(file_id)] = self.get_file(file_id)
        return file_id


@pytest.fixture
def downloads(monkeypatch) -> Callable[[AppTest, str], bytes]:
    """``downloads(at, key)``: the bytes behind the download button with ``key``, as a user would get them.

    ``downloads.name(at, key)`` is the file name the browser would save it under.
    """
    import streamlit.testing.v1.app_test as app_test_module

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", _RecordingStorage)
    _RecordingStorage.files = {}

    def get(at: AppTest, key: str) -> bytes:
        return _RecordingStorage.files[at.download_button(key=key).proto.url].content

    def name(at: AppTest, key: str) -> str:
        return _RecordingStorage.files[at.download_button(key=key).proto.url].filename

    get.name = name
    return get
