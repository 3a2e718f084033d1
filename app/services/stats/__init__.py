"""The task force's figures: one query layer for the statistics page, `GET /api/v1/stats`, the
dashboard and the reports, so that they never disagree.

* `query` counts requirements grouped by any one or two dimensions over the list's filters;
* `dashboard` assembles the dashboard's charts from it (and from meetings and releases);
* `releases` holds the verification figures of releases (pass rate from the latest attempts);
* `reports` assembles the monthly, half-year and annual reports and the ledger.
"""
from app.services.stats.query import DIMENSIONS, MEASURES, Counts, counts, crosstab, filter_args  # noqa: F401
