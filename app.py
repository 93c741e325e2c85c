"""Open Model Landscape: the dashboard's entry point (``make run``; ``streamlit run app.py`` serves it too,
without the warm-up of ``dashboard/warmup.py``).

A frame only: page config, navigation over ``pages/``, the global filters and the data's
freshness in the sidebar. Each page is a short script in ``pages/``.
"""

import streamlit as st

from dashboard import data, frame
from pipeline.errors import StorageError

st.set_page_config(page_title="Open Model Landscape", page_icon=":material/public:", layout="wide")
# The grids' own CSV download would write cells as they are, formulas included: every table and
# chart has a Download CSV button that neutralises them instead (landscape/csv_safety.py).
st.set_option("client.disableDataExport", True)

PAGES = [
    # the default page lives at "/" (Streamlit gives a default page no path of its own)
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/openness.py", title="Openness trends", icon=":material/lock_open:", url_path="openness"),
    st.Page("pages/adoption.py", title="Hub adoption", icon=":material/download:", url_path="adoption"),
    st.Page("pages/licences.py", title="Licences", icon=":material/gavel:", url_path="licences"),
    st.Page("pages/gap.py", title="Capability gap", icon=":material/trending_up:", url_path="gap"),
    st.Page("pages/lineage.py", title="Lineage & distillation", icon=":material/account_tree:",
            url_path="lineage"),
    st.Page("pages/explorer.py", title="Explorer", icon=":material/table_view:", url_path="explorer"),
    st.Page("pages/methodology.py", title="Methodology & sources", icon=":material/menu_book:",
            url_path="methodology"),
    # one organisation or model: reached from the search box and from links (?name=…, ?id=…)
    st.Page("pages/organization.py", title="Organisation", icon=":material/apartment:", url_path="organization"),
    st.Page("pages/model.py", title="Model", icon=":material/deployed_code:", url_path="model"),
    st.Page("pages/compare.py", title="Compare organisations", icon=":material/compare_arrows:",
            url_path="compare"),
]

page = st.navigation(PAGES)
try:
    frame.setup()
    page.run()
    frame.finish()
except StorageError as exc:  # a database that cannot be read: one line and how to rebuild, not a traceback
    st.error(f"{exc}", icon=":material/database_off:")
finally:
    data.close_connection()  # no reader holds the database between reruns
