"""A list page costs the same number of queries whatever it holds: no query per row (the
requirement's `release` is loaded for the whole page at once)."""
from __future__ import annotations

from tests.release_kit import add, approve, new_release


def _statements(count_statements, client, url: str) -> tuple[int, dict]:
    statements, response = count_statements(lambda: client.get(url))
    assert response.status_code == 200, response.json
    return statements, response.json


def test_requirement_list_queries_do_not_grow_with_rows_in_releases(api, filed, count_statements):
    manager = api("manager", "445200")
    ids = [filed(title=f"需求{n}")["id"] for n in range(3)]
    few, body = _statements(count_statements, manager, "/api/v1/requirements?per_page=50")
    assert body["total"] == 3
    release = new_release(manager)
    ids += [filed(title=f"更多需求{n}")["id"] for n in range(9)]
    for rid in ids:
        approve(manager, rid)
    add(manager, release["id"], *ids)
    many, body = _statements(count_statements, manager, "/api/v1/requirements?per_page=50")
    assert body["total"] == 12
    assert all(item["release"] == {"id": release["id"], "version": release["version"]} for item in body["items"])
    assert many <= few + 1, (few, many)  # + the one query that loads every row's release at once
