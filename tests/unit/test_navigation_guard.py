"""What ``dashboard.frame.page_guard`` relies on in Streamlit 1.67 (it patches a private flag).

Streamlit offers no setting to turn its old ``pages/``-folder mode off; the guard switches the
class flag ``PagesManager.uses_pages_directory`` off as ``st.navigation`` itself does. If a
Streamlit release renames the flag, stops setting it from the folder, or stops consulting it
when it runs a script, these tests fail, and the guard (and the AppTest fixture that mirrors it in
tests/app/conftest.py) must be revisited.
"""

from __future__ import annotations

import inspect

import pytest
from streamlit.commands import navigation
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner

from tests.app.conftest import APP  # the real app.py, beside the real pages/


@pytest.fixture
def restore_flag():
    saved = PagesManager.uses_pages_directory
    yield
    PagesManager.uses_pages_directory = saved


def test_a_pages_folder_beside_the_main_script_turns_the_old_mode_on(restore_flag):
    assert (APP.parent / "pages").is_dir()
    PagesManager.uses_pages_directory = None
    PagesManager(str(APP))
    assert PagesManager.uses_pages_directory is True


def test_navigation_turns_it_off_and_the_runner_consults_it():
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation.navigation)
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner)
    assert "_mpa_v1" in inspect.getsource(script_runner)


def test_the_guard_switches_it_off(restore_flag):
    from dashboard import frame

    PagesManager.uses_pages_directory = True
    frame.page_guard()  # outside a script run st.rerun() does nothing: the flag is what matters here
    assert PagesManager.uses_pages_directory is False
