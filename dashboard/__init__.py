"""The Streamlit dashboard: the frame around every page, the sidebar's widgets, charts, captions, downloads.

What it shows comes from the read side (:mod:`landscape`: filters, queries, analyses) through
one cache (:mod:`dashboard.data`); the pages themselves are short scripts in ``pages/``.
"""
