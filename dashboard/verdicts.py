"""One-sentence verdicts on the public debate's claims, written from the data behind each chart.

Pure functions over the query results (pandas frames): no number is typed in by hand, and
each sentence says what the data cannot settle when the data is thin.
"""

from __future__ import annotations

import pandas as pd

from dashboard.markdown import md_escape
from landscape.analysis.gap import LEVEL
from pipeline.transform.countries import country_name

MIN_RELEASES = 5  # fewer releases in a year than this is too thin for a verdict


def _name(code: str) -> str:
    """A country's name as it reads inside a sentence: "China", "the United States"."""
    name = country_name(code)
    return f"the {name}" if code in ("US", "GB", "NL", "AE", "PH", "CZ") else name


def _of(code: str) -> str:
    """Possessive of a country's name: "China's", "the United States'"."""
    name = _name(code)
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _params(value: float) -> str:
    if value >= 1e12:
        return f"{value / 1e12:.2g}T"
    if value >= 1e9:
        return f"{value / 1e9:.3g}B"
    return f"{value / 1e6:.3g}M"


def open_ecosystem(shares: pd.DataFrame, a: str = "CN", b: str = "US") -> str:
    """Claim: country ``a`` builds an open ecosystem faster than ``b`` (from :func:`open_share` by country)."""
    if shares.empty:
        return "No releases match these filters, so the data cannot test this claim."
    frame = shares[shares["country"].isin([a, b])].copy()
    frame["open_known"] = frame["open"] + frame["closed"] + frame["unreleased"]
    per_year = frame.pivot_table(index="period", columns="country", values=["open", "open_known"], aggfunc="sum",
                                 fill_value=0)
    usable = [p for p in per_year.index
              if all(per_year.loc[p, ("open_known", c)] >= MIN_RELEASES for c in (a, b)
                     if ("open_known", c) in per_year.columns)
              and all(("open_known", c) in per_year.columns for c in (a, b))]
    if not usable:
        return (f"Too few releases with known accessibility from {_name(a)} and {_name(b)} "
                "in any one period to compare them.")
    last = max(usable)
    open_a, open_b = int(per_year.loc[last, ("open", a)]), int(per_year.loc[last, ("open", b)])
    share_a = 100 * open_a / per_year.loc[last, ("open_known", a)]
    share_b = 100 * open_b / per_year.loc[last, ("open_known", b)]
    ahead = open_a > open_b and share_a > share_b
    behind = open_a < open_b and share_a < share_b
    verdict = "Supported" if ahead else "Not supported" if behind else "Mixed"
    sentence = (f"**{verdict}** for {last}: {_name(a)[0].upper() + _name(a)[1:]} released {open_a} open-weight "
                f"models ({share_a:.0f}% of its releases with known accessibility) against {open_b} "
                f"({share_b:.0f}%) from {_name(b)}.")
    earlier = [p for p in usable if p < last]
    if earlier:
        # two years back when there is such a year, else the closest earlier one
        first = str(int(last) - 2) if str(int(last) - 2) in earlier else max(earlier)
        was_a, was_b = int(per_year.loc[first, ("open", a)]), int(per_year.loc[first, ("open", b)])
        sentence += f" In {first} the counts were {was_a} and {was_b}."
    return sentence


def closed_frontier(by_country: pd.DataFrame, a: str = "US", b: str = "CN") -> str:
    """Claim: ``a``'s frontier labs keep their best models closed (from notable/frontier accessibility)."""
    known = by_country[by_country["accessibility_group"].isin(["open", "closed", "unreleased"])]
    totals = known.groupby("country")["releases"].sum()
    if totals.get(a, 0) < MIN_RELEASES:
        return f"Too few notable releases from {_name(a)} with known accessibility to test this claim."
    closed = known[known["accessibility_group"].isin(["closed", "unreleased"])].groupby("country")["releases"].sum()
    share_a = 100 * closed.get(a, 0) / totals[a]
    sentence = (f"{share_a:.0f}% of {_of(a)} notable or frontier releases with known "
                f"accessibility are closed or unreleased")
    if totals.get(b, 0) >= MIN_RELEASES:
        share_b = 100 * closed.get(b, 0) / totals[b]
        sentence += f", against {share_b:.0f}% of {_of(b)}"
        verdict = "Supported" if share_a > 50 and share_a > share_b else "Not supported" if share_a < 50 else "Mixed"
    else:
        verdict = "Supported" if share_a > 50 else "Not supported"
    return f"**{verdict}**: {sentence}."


def largest_open(largest: pd.DataFrame, a: str = "CN", b: str = "US") -> str:
    """Claim: ``a``'s labs release very large open models (largest open model per country and year)."""
    if largest.empty:
        return "No open-weights releases with a known size match these filters."
    frame = largest[largest["country"].isin([a, b])]
    years = sorted(set(frame[frame["country"] == a]["year"]))
    if not years:
        return f"No open-weights release from {_name(a)} with a known size matches these filters."
    year = years[-1]
    this_year = frame[frame["year"] == year].set_index("country")
    top_a = this_year.loc[a]
    sentence = (f"In {year}, {_of(a)} largest open-weights release was {md_escape(top_a['model'])} "
                f"({_params(top_a['params'])} parameters, {md_escape(top_a['organization'])})")
    if b in this_year.index:
        top_b = this_year.loc[b]
        sentence += (f"; {_of(b)} was {md_escape(top_b['model'])} ({_params(top_b['params'])}, "
                     f"{md_escape(top_b['organization'])})")
        verdict = "Supported" if top_a["params"] >= top_b["params"] else "Mixed"
    else:
        verdict = "Supported"
    return f"**{verdict}**: {sentence}."


def headline_lag(summary, benchmark: str, start, end) -> str:
    """"Open models trail the closed frontier by X months (90% CI a–b) on <benchmark>, <window>"."""
    window = f"{start:%b %Y}–{end:%b %Y}"
    if summary.points == 0:
        return f"No open record on {benchmark} in {window} has a lag to measure yet."
    return (f"Open models trail the closed frontier by {summary.lag_months_mean:.1f} months "
            f"({LEVEL:.0%} CI {summary.lag_ci_low:.1f}–{summary.lag_ci_high:.1f}) on {benchmark}, {window}")


def closing_gap(earlier, recent, benchmark: str) -> str:
    """Claim: open models are closing the gap (two consecutive windows of the same analysis)."""
    if earlier.points == 0 or recent.points == 0:
        return f"Too few open records on {benchmark} in both periods to say whether the gap is closing."
    lag_down = recent.lag_months_mean < earlier.lag_months_mean
    gap_down = recent.vertical_gap_mean < earlier.vertical_gap_mean
    verdict = "Supported" if lag_down and gap_down else "Not supported" if not (lag_down or gap_down) else "Mixed"
    return (f"**{verdict}** on {benchmark}: open records released {recent.window_start:%b %Y}–"
            f"{recent.window_end:%b %Y} trail by {recent.lag_months_mean:.1f} months on average "
            f"({LEVEL:.0%} CI {recent.lag_ci_low:.1f}–{recent.lag_ci_high:.1f}, {recent.points} records), against "
            f"{earlier.lag_months_mean:.1f} months in {earlier.window_start:%b %Y}–{earlier.window_end:%b %Y}; "
            f"the frontiers were {recent.vertical_gap_mean:.1f} points apart on average, against "
            f"{earlier.vertical_gap_mean:.1f}.")


MIN_DATES = 2  # snapshot dates a history needs before it says who leads


def adoption_lead(monthly: pd.DataFrame, coverage: str) -> str:
    """Claim: Chinese open models now lead adoption on the Hub (from
    :func:`landscape.queries.history.monthly_lead`): the first month China's origin share of
    30-day downloads passed the United States', and where both stand in the latest month."""
    if monthly.empty or int(monthly["dates"].sum()) < MIN_DATES:
        return ("**Not enough history** to say: the Hub's download history needs at least two snapshot dates "
                "(`python -m pipeline ingest --sources history` backfills it from hub-stats).")
    ordered = monthly.sort_values("month")
    latest = ordered.iloc[-1]
    ahead = ordered[ordered["cn_share_pct"] > ordered["us_share_pct"]]
    first = ordered.iloc[0]
    now = (f"In {latest['month']:%B %Y}, Chinese-origin models took {latest['cn_share_pct']:.1f}% of 30-day "
           f"downloads and US-origin ones {latest['us_share_pct']:.1f}%.")
    if ahead.empty:
        verdict = (f"**Not supported** by the history since {first['month']:%B %Y}: the Chinese-origin share never "
                   "passed the US-origin share.")
    else:
        crossed = ahead.iloc[0]
        leads = latest["cn_share_pct"] > latest["us_share_pct"]
        started = crossed["month"] == first["month"]
        when = (f"already ahead when the history starts ({crossed['month']:%B %Y})" if started else
                f"first passed the US-origin share in **{crossed['month']:%B %Y}** "
                f"({crossed['cn_share_pct']:.1f}% vs {crossed['us_share_pct']:.1f}%)")
        verdict = (f"**{'Supported' if leads else 'Not any more'}**: the Chinese-origin share of downloads {when}"
                   + ("." if leads else ", but is behind again in the latest month."))
    return f"{verdict} {now} {md_escape(coverage)}."
