"""Statistics count proposers (issue 12): `measure=proposers` counts the units that raised the
requirements (a need merged from several bureaus counts each), where they are, and only inside
the reader's region (the page: tests/web/test_stats_proposers_page.py)."""
from __future__ import annotations

import pytest

from tests.duplicates_kit import merged_across_cities

STATS = "/api/v1/stats"


@pytest.fixture
def merged(api, filed, payload):
    return merged_across_cities(api, filed, payload)


def by_key(answer, *dims):
    return {tuple(row[d] for d in dims): row["count"] for row in answer.json["rows"]}


def test_proposers_are_counted_where_they_are(api, merged):
    province = api("reviewer", "440000")
    requirements = province.get(STATS, query_string={"by": "region"})
    proposers = province.get(STATS, query_string={"by": "region", "measure": "proposers"})
    assert requirements.json["measure"] == "requirements" and proposers.json["measure"] == "proposers"
    # three requirements (the original and two duplicates), three proposers, all now on the original
    assert requirements.json["total"] == 3 and proposers.json["total"] == 3
    assert by_key(proposers, "region") == {("445200",): 2, ("440500",): 1}
    # only the original's status holds proposers now; the duplicates hold none
    assert by_key(province.get(STATS, query_string={"by": "status", "measure": "proposers"}), "status") == {
        (merged["status"],): 3}
    # the channel is each proposer's own
    channels = by_key(province.get(STATS, query_string={"by": "channel", "measure": "proposers"}), "channel")
    assert channels[("yuezhengyi",)] == 1 and sum(channels.values()) == 3


def test_a_reader_counts_only_the_units_of_their_region(api, merged):
    jieyang = api("manager", "445200")
    answer = jieyang.get(STATS, query_string={"by": "region", "measure": "proposers"})
    # the 汕头 unit merged into a 揭阳 requirement is not counted by 揭阳
    assert answer.json["total"] == 2 and by_key(answer, "region") == {("445200",): 1, ("445202",): 1}
    shantou = api("manager", "440500").get(STATS, query_string={"by": "region", "measure": "proposers"})
    # nor does 汕头 see the 揭阳 requirement its unit now stands on
    assert shantou.json["total"] == 0
    filtered = api("reviewer", "440000").get(STATS, query_string={"by": "region", "measure": "proposers",
                                                                 "region": "445200"})
    assert filtered.json["total"] == 2


def test_a_bad_measure_is_422_naming_it(api):
    answer = api("reviewer", "440000").get(STATS, query_string={"by": "region", "measure": "units"})
    assert answer.status_code == 422 and "measure" in answer.json["errors"]
