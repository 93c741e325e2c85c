"""The overview's verdicts, on constructed frames whose answer is known."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.verdicts import adoption_lead


def test_the_adoption_verdict_names_the_crossing_month_or_says_why_not():
    def months(*shares):
        return pd.DataFrame({"month": [date(2025, m + 1, 1) for m in range(len(shares))],
                             "cn_share_pct": [c for c, _ in shares], "us_share_pct": [u for _, u in shares],
                             "dates": [4] * len(shares)})

    crossed = adoption_lead(months((20, 40), (30, 35), (41, 36.5)), "70% with a country")
    assert crossed.startswith("**Supported**") and "March 2025" in crossed and "41.0%" in crossed
    assert "70% with a country" in crossed
    never = adoption_lead(months((20, 40), (30, 35)), "")
    assert never.startswith("**Not supported**")
    back = adoption_lead(months((20, 40), (45, 35), (30, 38)), "")
    assert back.startswith("**Not any more**") and "February 2025" in back
    ahead = adoption_lead(months((50, 40), (55, 35)), "")
    assert "already ahead when the history starts (January 2025)" in ahead
    assert adoption_lead(months(), "").startswith("**Not enough history**")
