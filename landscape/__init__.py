"""Open Model Landscape's read side: what the dashboard and ``python -m pipeline export``/``status`` read.

- :mod:`landscape.filters`: the one specification of the global filters (URL key, label, widget,
  command-line flag, SQL per table, description), and the :class:`~landscape.filters.Filters` value;
- :mod:`landscape.queries`: every SQL statement the read side runs, one module per topic;
- :mod:`landscape.analysis`: the capability-gap method (pure functions over scored models);
- :mod:`landscape.datasets`: the named datasets the Explorer pages and ``export`` writes;
- :mod:`landscape.status`: what ``python -m pipeline status`` reports;
- :mod:`landscape.csv_safety`: the formula guard every CSV passes through.

It reads the published database through :func:`pipeline.storage.connect_readonly` and the
project's vocabulary (countries, licence families, sources) from :mod:`pipeline`; it writes
nothing. The write side (fetch, transform, build, publish) is :mod:`pipeline`.
"""
