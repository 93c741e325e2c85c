"""The loopback servers speak the real protocols: proven with the real ``huggingface_hub`` client.

If these tests pass, a pipeline test that points ``HfApi`` at :class:`HubServer` exercises the
same pagination, retry and error paths it would meet on huggingface.co.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")  # before huggingface_hub reads its constants

import email.utils
import time
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import httpx2
import pytest
import requests
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
from huggingface_hub.utils import http_backoff, parse_ratelimit_headers

from tests.loopback import burst
from tests.loopback.hub import DEFAULT_LIST_FIELDS, HubServer, spawn_hub
from tests.loopback.static import StaticServer
from tests.synthetic import synthetic_model, synthetic_models

EXPAND = [
    "author", "createdAt", "lastModified", "downloads", "downloadsAllTime", "likes", "trendingScore", "gated",
    "library_name", "pipeline_tag", "tags", "cardData", "safetensors", "gguf",
]
SEED = 11
COUNT = 3500


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return list(synthetic_models(COUNT, seed=SEED))


def client(hub: HubServer) -> HfApi:
    return HfApi(endpoint=hub.url, token=False)


def link_of(response: httpx2.Response) -> str | None:
    return response.links.get("next", {}).get("url")


# ---------------------------------------------------------------------- Hub: listing


def test_list_models_pages_by_downloads_with_repeated_expand_keys(records: list[dict]) -> None:
    with HubServer(records) as hub:
        models = list(client(hub).list_models(sort="downloads", limit=2500, expand=EXPAND))

        assert len(models) == 2500
        expected = sorted(records, key=lambda r: r["downloads"], reverse=True)[:2500]
        assert [m.id for m in models] == [r["id"] for r in expected]
        assert all(a.downloads >= b.downloads for a, b in zip(models, models[1:], strict=False))
        assert models[0].downloads_all_time >= models[0].downloads
        assert any(m.safetensors for m in models) and not any(m.base_models for m in models)
        assert any(t.startswith("base_model:") for m in models for t in m.tags)  # lineage is in the tags

        # limit=2500 is sent as is; the server pages by 1000 and the client stops after 2500.
        log = hub.entries()
        assert [e.page for e in log] == [0, 1, 2] and hub.served_pages() == [0, 1, 2]
        assert [e.items for e in log] == [1000, 1000, 1000]
        first = log[0]
        assert first.params["limit"] == ["2500"] and first.params["sort"] == ["downloads"]
        assert [v for k, v in first.query if k == "expand"] == EXPAND  # repeated keys, in order
        assert "cursor" not in first.params
        for later in log[1:]:  # next pages keep every parameter and add the cursor
            assert later.params["expand"] == EXPAND and later.params["limit"] == ["2500"]
            assert len(later.params["cursor"]) == 1
        assert Counter(e.page for e in log if e.ok).most_common(1)[0][1] == 1  # no page fetched twice

        # The Link is absolute, points back here, and the cursor is opaque and stable.
        response = httpx2.get(f"{hub.url}/api/models", params={"sort": "downloads", "limit": 1000})
        link = link_of(response)
        assert link is not None and link.startswith(f"{hub.url}/api/models?")
        assert response.headers["Link"] == f'<{link}>; rel="next"'
        cursor = dict(parse_qsl(urlsplit(link).query))["cursor"]
        assert not cursor.isdigit() and [cursor] == log[1].params["cursor"]


def test_listing_to_the_end_stops_where_the_link_stops() -> None:
    count = 2300
    with HubServer(synthetic=count, seed=5) as hub:
        models = list(client(hub).list_models(sort="createdAt", expand=["createdAt", "author"]))
        assert [m.id for m in models] == [r["id"] for r in synthetic_models(count, seed=5)]
        assert all(a.created_at > b.created_at for a, b in zip(models, models[1:], strict=False))
        assert hub.served_pages() == [0, 1, 2]
        assert [e.items for e in hub.entries()] == [1000, 1000, 300]

        # The last page carries no Link; a small limit pages exactly by limit.
        page = httpx2.get(f"{hub.url}/api/models", params={"sort": "createdAt", "limit": 1000})
        for _ in range(2):
            page = httpx2.get(link_of(page))
        assert len(page.json()) == 300 and "Link" not in page.headers
        small = httpx2.get(f"{hub.url}/api/models", params={"limit": 7})
        assert len(small.json()) == 7 and link_of(small) is not None


def test_synthetic_mode_serves_what_the_generator_makes(records: list[dict]) -> None:
    with HubServer(records) as listed, HubServer(synthetic=COUNT, seed=SEED) as generated:
        for sort in ("downloads", "createdAt", "likes"):
            a = [m.id for m in client(listed).list_models(sort=sort, limit=1200, expand=["downloads"])]
            b = [m.id for m in client(generated).list_models(sort=sort, limit=1200, expand=["downloads"])]
            assert a == b, sort
        one = httpx2.get(f"{generated.url}/api/models", params={"limit": 1}).json()[0]
        assert one == {k: records[0][k] for k in DEFAULT_LIST_FIELDS if k in records[0]}


@pytest.mark.parametrize("synthetic", [False, True])
def test_author_and_search_filters(records: list[dict], synthetic: bool) -> None:
    hub = HubServer(synthetic=COUNT, seed=SEED) if synthetic else HubServer(records)
    with hub:
        api = client(hub)
        bartowski = [m.id for m in api.list_models(author="bartowski", expand=["author"])]
        assert bartowski == [r["id"] for r in records if r["author"] == "bartowski"] and bartowski
        assert not list(api.list_models(author="Bartowski"))  # case-sensitive, like the Hub
        found = [m.id for m in api.list_models(search="gguf", sort="downloads", limit=50)]
        assert found and all("gguf" in i.lower() for i in found)


def test_expand_returns_only_what_was_asked_for(records: list[dict]) -> None:
    with HubServer(records) as hub:
        expanded = httpx2.get(f"{hub.url}/api/models", params={"expand": ["downloads", "gguf"], "limit": 50})
        assert all(set(item) <= {"_id", "id", "downloads", "gguf"} for item in expanded.json())
        assert all({"_id", "id", "downloads"} <= set(item) for item in expanded.json())
        plain = httpx2.get(f"{hub.url}/api/models", params={"limit": 50}).json()
        assert all(set(item) <= set(DEFAULT_LIST_FIELDS) for item in plain)
        full = list(client(hub).list_models(full=True, limit=50))  # the older switch: whole records
        assert [m.card_data is not None for m in full] == ["cardData" in r for r in records[:50]]
        assert httpx2.get(f"{hub.url}/api/models", params={"sort": "bogus"}).status_code == 400
        assert httpx2.get(f"{hub.url}/api/models", params={"cursor": "AAAA"}).status_code == 400


@pytest.mark.parametrize("field", ["baseModels", "childrenModelCount", "usedStorage"])
def test_a_listing_refuses_what_only_the_single_model_endpoint_gives(records: list[dict], field: str) -> None:
    # The real Hub answers 400 when a listing asks for these (huggingface_hub PR #3182); the
    # real client reports the server's own message.
    with HubServer(records) as hub:
        with pytest.raises(HfHubHTTPError) as refused:
            list(client(hub).list_models(sort="downloads", limit=10, expand=["downloads", field]))
        assert refused.value.response.status_code == 400
        assert field in refused.value.server_message and "listing" in refused.value.server_message
        bogus = httpx2.get(f"{hub.url}/api/models", params={"expand": ["downloads", "noSuchField"]})
        assert bogus.status_code == 400 and "noSuchField" in bogus.json()["error"]
        # the single-model endpoint gives them
        info = client(hub).model_info(records[0]["id"], expand=["downloads", "baseModels"])
        assert info.base_models == records[0].get("baseModels")


def test_the_pipelines_own_requests_are_ones_the_hub_accepts(records: list[dict]) -> None:
    # Every listing the pipeline asks for, and its single-model lookups, pass the imitation's rules,
    # which are those the real Hub documents (tests/loopback/HUB.md): this cannot regress silently.
    from pipeline.config import load_settings
    from pipeline.sources import hub as hub_source
    from tests.loopback.hub import LISTING_EXPAND, SINGLE_MODEL_EXPAND, SORTS

    assert set(hub_source.LISTING_EXPAND) <= set(LISTING_EXPAND)
    assert set(hub_source.MODEL_INFO_EXPAND) <= set(LISTING_EXPAND) | set(SINGLE_MODEL_EXPAND)
    streams = [hub_source.top_models_stream(5000), hub_source.author_stream("Qwen"), hub_source.full_hub_stream()]
    assert {dict(s.params)["sort"] for s in streams} <= set(SORTS)
    with HubServer(records) as hub:
        api = hub_source.HubClient(load_settings({"HF_ENDPOINT": hub.url}))
        for stream in streams:
            _, page, _ = api.list_page(hub_source.first_url(api, stream))
            assert page, stream.key
        assert api.model_info(records[0]["id"])["id"] == records[0]["id"]
        assert all(e.status == 200 for e in hub.entries())


def test_malformed_records_are_served_verbatim_and_sorted_last() -> None:
    fixture = [
        {"id": "a/many", "downloads": "many"},
        {"downloads": 5, "tags": "not-a-list"},
        "not a record",
        {"id": "a/ten", "downloads": 10, "author": 7},
        {"id": "a/none"},
        None,
    ]
    with HubServer(fixture) as hub:
        body = httpx2.get(f"{hub.url}/api/models", params={"sort": "downloads"}).json()
        assert body == [
            {"id": "a/ten", "downloads": 10}, {"downloads": 5, "tags": "not-a-list"}, {"id": "a/many", "downloads": "many"},
            "not a record", {"id": "a/none"}, None,
        ]
        verbatim = httpx2.get(f"{hub.url}/api/models", params={"expand": ["author", "tags"]}).json()
        assert verbatim[2] == "not a record" and verbatim[3] == {"id": "a/ten", "author": 7}
        assert len(httpx2.get(f"{hub.url}/api/models", params={"author": "a", "filter": "x"}).json()) == 0
        assert len(httpx2.get(f"{hub.url}/api/models", params={"sort": "createdAt", "search": "a/"}).json()) == 3


# ---------------------------------------------------------------------- Hub: model_info


@pytest.mark.parametrize("synthetic", [False, True])
def test_model_info_hit_and_miss(records: list[dict], synthetic: bool) -> None:
    hub = HubServer(synthetic=COUNT, seed=SEED) if synthetic else HubServer(records)
    # A lab release, a repackaged quantisation and a community finetune.
    picks = [next(r for r in records if r["author"] == author) for author in ("Qwen", "bartowski")]
    picks.append(next(r for r in records if r.get("baseModels", {}).get("relation") == "finetune"))
    with hub:
        api = client(hub)
        for record in picks:
            info = api.model_info(record["id"])
            assert info.id == record["id"] and info.downloads == record["downloads"]
            assert info.card_data is not None or "cardData" not in record
            slim = api.model_info(record["id"], expand=["baseModels", "downloads"])
            assert slim.base_models == record.get("baseModels") and slim.tags is None
            base = (record.get("baseModels") or {}).get("models")
            if base:  # lineage resolves on the same server, the way ancestors are fetched
                assert api.model_info(base[0]["id"]).id == base[0]["id"]
        with pytest.raises(RepositoryNotFoundError):
            api.model_info("nobody/nothing-here")
        miss = hub.entries()[-1]
        assert (miss.status, miss.model_id, miss.ok) == (404, "nobody/nothing-here", False)
        raw = httpx2.get(f"{hub.url}/api/models/nobody/nothing-here")
        assert raw.json() == {"error": "Repository not found"} and raw.headers["X-Error-Code"] == "RepoNotFound"

    with HubServer([{"_id": "5f0", "id": "gpt2", "downloads": 1}]) as legacy:
        assert client(legacy).model_info("gpt2").downloads == 1


def test_model_info_is_not_retried_by_the_client(records: list[dict]) -> None:
    # huggingface_hub 2.4 sends model_info through get_session().get, without http_backoff:
    # a 5xx reaches the caller, whose own retry policy must decide.
    target = records[7]["id"]
    with HubServer(records, model_faults={target: "503"}) as hub:
        with pytest.raises(HfHubHTTPError) as failure:
            client(hub).model_info(target)
        assert failure.value.response.status_code == 503
        assert client(hub).model_info(target).id == target
        assert [(e.model_id, e.status) for e in hub.entries()] == [(target, 503), (target, 200)]


# ---------------------------------------------------------------------- Hub: rate limits and faults


def test_429_with_ratelimit_headers_is_honoured_by_http_backoff() -> None:
    with HubServer(synthetic=1500, faults={1: "429"}) as hub:
        models = list(client(hub).list_models(limit=1500, expand=["downloads"]))
        assert len(models) == 1500
        first, limited, retried = hub.entries()
        assert (limited.status, limited.fault, limited.page) == (429, "429", 1)
        assert (retried.status, retried.page, retried.ok) == (200, 1, True)
        waited = retried.started - limited.started
        assert 1.9 <= waited < 3.5  # RateLimit t=1, and huggingface_hub waits t + 1 seconds
        assert hub.served_pages() == [0, 1]


def test_quota_answers_429_with_remaining_time_until_the_window_resets() -> None:
    with HubServer([{"_id": "1", "id": "a/b"}], quota=2, window=2) as hub:
        url = f"{hub.url}/api/models"
        with httpx2.Client() as raw:
            answers = [raw.get(url) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        infos = [parse_ratelimit_headers(a.headers) for a in answers]
        assert [i.remaining for i in infos] == [1, 0, 0]
        assert all(i.limit == 2 and i.window_seconds == 2 and 1 <= i.reset_in_seconds <= 2 for i in infos)
        assert answers[2].headers["Retry-After"] == str(infos[2].reset_in_seconds)

        started = time.monotonic()
        response = http_backoff("GET", url)  # the client's own retry, honouring RateLimit
        assert response.status_code == 200 and response.json() == [{"_id": "1", "id": "a/b"}]
        assert time.monotonic() - started >= 1.0
        assert hub.stats()["rate_limited"] >= 2  # the raw 429 and http_backoff's first attempt


def test_5xx_burst_and_dropped_connection_are_retried() -> None:
    with HubServer(synthetic=2500, page_faults={1: "503", 2: "drop"}) as hub:
        models = list(client(hub).list_models(sort="createdAt", expand=["createdAt"]))
        assert len(models) == 2500
        assert [(e.page, e.status) for e in hub.entries()] == [(0, 200), (1, 503), (1, 200), (2, None), (2, 200)]
        assert hub.served_pages() == [0, 1, 2]

    with HubServer(synthetic=10, page_faults={0: burst("502", 2) + ["503"]}) as hub:
        response = http_backoff("GET", f"{hub.url}/api/models", base_wait_time=0.05, max_wait_time=0.1)
        assert response.status_code == 200 and len(response.json()) == 10
        assert [e.status for e in hub.entries()] == [502, 502, 503, 200]


@pytest.mark.parametrize(
    ("kind", "error"),
    [("truncate", ValueError), ("badjson", ValueError), ("badlink", httpx2.UnsupportedProtocol)],
)
def test_body_and_link_faults_reach_the_client(kind: str, error: type[Exception]) -> None:
    with HubServer(synthetic=2500, page_faults={1: kind}) as hub:
        with pytest.raises(error):
            list(client(hub).list_models(expand=["downloads"]))
        assert hub.served_pages() == [0] + ([1] if kind == "badlink" else [])


def test_persistent_and_raw_faults() -> None:
    with HubServer(synthetic=2500, page_faults={1: "always:truncate"}, faults={0: "short"}) as hub:
        url = f"{hub.url}/api/models"
        with pytest.raises(httpx2.RemoteProtocolError):  # "short": full Content-Length, half a body
            httpx2.get(url)
        page0 = httpx2.get(url)
        assert "RateLimit" in page0.headers and "RateLimit-Policy" in page0.headers
        link = link_of(page0)
        for _ in range(3):  # every attempt at page 1 is cut in half, Content-Length matching
            cut = httpx2.get(link)
            assert cut.status_code == 200 and int(cut.headers["Content-Length"]) == len(cut.content)
            with pytest.raises(ValueError):
                cut.json()
        assert [e.fault for e in hub.page_requests(1)] == ["truncate"] * 3

        hub.set_faults()
        normal = link_of(httpx2.get(link))
        hub.set_faults(page_faults={1: "offhost"})
        moved = link_of(httpx2.get(link))
        assert normal is not None and moved == normal.replace("//127.0.0.1:", "//127.0.0.2:")


# ---------------------------------------------------------------------- Hub: separate process


def test_spawned_hub_serves_from_a_child_process() -> None:
    with spawn_hub(synthetic=5000, seed=3) as hub:
        assert hub.process.poll() is None
        models = list(HfApi(endpoint=hub.url, token=False).list_models(sort="createdAt", limit=1500))
        assert [m.id for m in models] == [r["id"] for r in synthetic_models(5000, seed=3)][:1500]
        assert HfApi(endpoint=hub.url, token=False).model_info(models[42].id).id == models[42].id
    assert hub.process.poll() is not None


# ---------------------------------------------------------------------- static files


def test_static_server_validators_and_304() -> None:
    csv = b"Model,Organization,Country\nLlama 3.1 405B,Meta AI,United States of America\n"
    with StaticServer({"/data/all_ai_models.csv": csv}) as files:
        url = files.url_for("/data/all_ai_models.csv")
        first = requests.get(url, timeout=5)
        assert first.status_code == 200 and first.content == csv
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert etag.startswith('"') and email.utils.parsedate_to_datetime(modified)
        assert first.headers["Content-Type"] == "text/csv"

        assert requests.get(url, headers={"If-None-Match": etag}, timeout=5).status_code == 304
        assert requests.get(url, headers={"If-Modified-Since": modified}, timeout=5).status_code == 304
        assert requests.head(url, timeout=5).headers["ETag"] == etag

        files.set_file("/data/all_ai_models.csv", csv + b"Qwen3 235B,Alibaba,China\n",
                       last_modified=time.time() + 5)
        changed = requests.get(url, headers={"If-None-Match": etag}, timeout=5)
        assert changed.status_code == 200 and changed.headers["ETag"] != etag
        assert requests.get(url, headers={"If-Modified-Since": modified}, timeout=5).status_code == 200
        assert requests.get(files.url_for("missing.json"), timeout=5).status_code == 404

        log = files.entries("/data/all_ai_models.csv")
        assert [(e.status, e.conditional) for e in log] == [
            (200, False), (304, True), (304, True), (200, False), (200, True), (200, True),
        ]


def test_static_server_faults() -> None:
    arena = b'{"text": {"full": {"gpt-4o": {"rating": 1285.2}}}}'
    with StaticServer(
        {"leaderboard-text.json": arena, "benchmark_data.zip": b"PK\x03\x04" + bytes(200)},
        path_faults={"/leaderboard-text.json": burst("503", 2), "/benchmark_data.zip": "always:truncate"},
        faults={5: "drop"},
    ) as files:
        url = files.url_for("leaderboard-text.json")
        assert [requests.get(url, timeout=5).status_code for _ in range(3)] == [503, 503, 200]
        for _ in range(2):
            cut = requests.get(files.url_for("benchmark_data.zip"), timeout=5)
            assert cut.status_code == 200 and len(cut.content) == 102
        with pytest.raises(requests.ConnectionError):
            requests.get(url, timeout=5)  # request index 5
        assert requests.get(url, timeout=5).json() == {"text": {"full": {"gpt-4o": {"rating": 1285.2}}}}
        assert [e.fault for e in files.entries()] == ["503", "503", None, "truncate", "truncate", "drop", None]


def test_synthetic_record_shape() -> None:
    record = synthetic_model(0, seed=SEED, total=COUNT)
    assert len(record["_id"]) == 24 and int(record["_id"], 16) >= 0
    assert record["createdAt"].endswith(".000Z") and "/" in record["id"]
