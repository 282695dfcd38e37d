"""The Lightbits client against a fake transport: failover, errors, secrecy."""

import json
import logging
from unittest import mock

import pytest
import requests
from django.core.cache import cache
from django.test import override_settings

from lightbits_dashboard import shared_cache
from lightbits_dashboard.api import lightbits

TOKEN = "eyJhbGciOi.SECRET-TOKEN-VALUE.sig"


def _response(status, body=None, text=None):
    resp = requests.Response()
    resp.status_code = status
    if body is not None:
        resp._content = json.dumps(body).encode()
    else:
        resp._content = (text or "").encode()
    return resp


class FakeSession:
    """Answers by endpoint: an exception instance, or a Response."""

    def __init__(self, answers):
        self.answers = answers
        self.calls = []

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        for prefix, answer in self.answers.items():
            if url.startswith(prefix):
                if isinstance(answer, Exception):
                    raise answer
                return answer(method, url, kwargs) if callable(answer) else answer
        raise requests.exceptions.ConnectionError(f"nothing at {url}")


def _client(session, **kw):
    return lightbits.Client(
        ["10.0.0.1:443", "10.0.0.2:443"], jwt=TOKEN, name="lb1", session=session, **kw
    )


def test_fails_over_only_when_no_http_answer():
    session = FakeSession(
        {
            "https://10.0.0.1:443": requests.exceptions.ConnectionError("refused"),
            "https://10.0.0.2:443": _response(200, {"volumes": [{"name": "volume-1"}]}),
        }
    )
    assert _client(session).list_volumes() == [{"name": "volume-1"}]
    assert [c[1] for c in session.calls] == [
        "https://10.0.0.1:443/api/v2/volumes",
        "https://10.0.0.2:443/api/v2/volumes",
    ]


def test_http_error_is_not_retried_on_another_endpoint():
    session = FakeSession({"https://10.0.0.1:443": _response(500, {"message": "boom"})})
    with pytest.raises(lightbits.LightbitsError) as err:
        _client(session).cluster_info()
    assert err.value.status == 500
    assert "boom" in str(err.value)
    assert len(session.calls) == 1


def test_sends_bearer_token_verification_and_timeout():
    session = FakeSession({"https://10.0.0.1:443": _response(200, {"UUID": "c1"})})
    _client(session, ca_file="/etc/ca.pem", timeout=3).cluster_info()
    kwargs = session.calls[0][2]
    assert kwargs["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert kwargs["verify"] == "/etc/ca.pem"
    assert kwargs["timeout"] == 3


def test_verification_on_by_default_and_off_only_when_asked():
    assert lightbits.Client(["a:1"], jwt="x").verify is True
    assert lightbits.Client(["a:1"], jwt="x", verify=False, ca_file="/c").verify is False


def test_remembers_the_endpoint_that_answered():
    session = FakeSession(
        {
            "https://10.0.0.1:443": requests.exceptions.ConnectTimeout("slow"),
            "https://10.0.0.2:443": _response(200, {"nodes": []}),
        }
    )
    client = _client(session)
    client.nodes()
    client.nodes()
    assert [c[1].split("/api")[0] for c in session.calls] == [
        "https://10.0.0.1:443",
        "https://10.0.0.2:443",
        "https://10.0.0.2:443",
    ]


@pytest.mark.parametrize(
    "status, exc",
    [
        (401, lightbits.LightbitsAuthError),
        (403, lightbits.LightbitsAuthError),
        (404, lightbits.LightbitsNotFound),
    ],
)
def test_status_maps_to_exception(status, exc):
    session = FakeSession({"https://10.0.0.1:443": _response(status, {"message": "no"})})
    with pytest.raises(exc):
        _client(session).cluster_info()


@pytest.mark.parametrize(
    "call, answer",
    [
        ("cluster_info", _response(200, ["not", "an", "object"])),
        ("cluster_info", _response(200, text="<html>proxy login</html>")),
        ("nodes", _response(200, {"nodes": {"n1": "Active"}})),
        ("list_volumes", _response(200, {"volumes": ["volume-1"]})),
        ("list_volumes", _response(200, {"volumes": "none"})),
    ],
)
def test_an_answer_of_another_shape_is_a_lightbits_error(call, answer):
    session = FakeSession({"https://10.0.0.1:443": answer})
    with pytest.raises(lightbits.LightbitsError):
        getattr(_client(session), call)()


@pytest.mark.parametrize("body", [{}, {"volumes": None}, {"volumes": []}])
def test_an_empty_list_may_be_left_out_of_the_answer(body):
    session = FakeSession({"https://10.0.0.1:443": _response(200, body)})
    assert _client(session).list_volumes() == []


def test_unreachable_when_every_endpoint_is_silent(caplog):
    session = FakeSession(
        {
            "https://10.0.0.1:443": requests.exceptions.SSLError(f"bad cert {TOKEN}"),
            "https://10.0.0.2:443": requests.exceptions.ReadTimeout(f"late {TOKEN}"),
        }
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(lightbits.LightbitsUnreachable) as err:
        _client(session).cluster_info()
    text = str(err.value)
    assert "TLS verification failed" in text and "timed out" in text
    assert TOKEN not in text
    assert TOKEN not in caplog.text
    assert err.value.__cause__ is None and err.value.__context__ is None


def test_server_echoing_the_token_is_redacted():
    session = FakeSession(
        {"https://10.0.0.1:443": _response(401, text=f"invalid token Bearer {TOKEN}")}
    )
    with pytest.raises(lightbits.LightbitsAuthError) as err:
        _client(session).cluster_info()
    assert TOKEN not in str(err.value)
    assert "<redacted>" in str(err.value)


JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


@pytest.mark.parametrize("part", [0, 1, 2])
def test_every_segment_of_the_token_is_redacted_and_what_contains_it(part):
    segment = JWT.split(".")[part]
    session = FakeSession(
        {
            "https://10.0.0.1:443": _response(
                401, text=f"bad signature '{segment}', seen in x{segment}Yz=; at 12:00"
            )
        }
    )
    client = lightbits.Client(["10.0.0.1:443"], jwt=JWT, name="lb1", session=session)
    with pytest.raises(lightbits.LightbitsAuthError) as err:
        client.cluster_info()
    text = str(err.value)
    assert segment not in text
    assert "x" + segment not in text and "Yz=" not in text
    assert "bad signature '<redacted>', seen in <redacted>; at 12:00" in text


def test_jwt_file_is_read_and_its_errors_do_not_leak(tmp_path):
    jwt_file = tmp_path / "admin.jwt"
    jwt_file.write_text(TOKEN + "\n")
    session = FakeSession({"https://10.0.0.1:443": _response(200, {})})
    client = lightbits.Client(["10.0.0.1:443"], jwt_file=str(jwt_file), session=session)
    client.cluster_info()
    assert session.calls[0][2]["headers"]["Authorization"] == f"Bearer {TOKEN}"
    missing = lightbits.Client(["10.0.0.1:443"], jwt_file=str(tmp_path / "nope"))
    with pytest.raises(lightbits.LightbitsConfigError):
        missing.cluster_info()


def test_no_endpoint_or_no_token_is_a_config_error():
    with pytest.raises(lightbits.LightbitsConfigError):
        lightbits.Client([], jwt="x").cluster_info()
    with pytest.raises(lightbits.LightbitsConfigError):
        lightbits.Client(["a:1"]).cluster_info()


def test_repr_does_not_show_the_token():
    assert TOKEN not in repr(_client(FakeSession({})))


CLUSTERS = {"lb-backend": {"api_endpoints": ["10.9.9.9:443"], "jwt": TOKEN}}


@override_settings(LIGHTBITS_DASHBOARD={"CLUSTERS": CLUSTERS, "CLUSTER_CACHE_SECONDS": 60})
def test_cluster_state_is_cached(monkeypatch):
    cache.clear()
    shared_cache.clear_local()
    session = FakeSession(
        {
            "https://10.9.9.9:443/api/v2/clusterinfo": _response(200, {"UUID": "c"}),
            "https://10.9.9.9:443/api/v2/nodes": _response(200, {"nodes": [{"name": "n1"}]}),
            "https://10.9.9.9:443/api/v2/volumes": _response(
                200, {"volumes": [{"name": "v", "ETag": "e", "acl": {"values": []}}]}
            ),
        }
    )
    monkeypatch.setattr(lightbits.requests, "Session", lambda: session)
    first = lightbits.cluster_state(None, "lb-backend")
    second = lightbits.cluster_state(None, "lb-backend")
    assert first == second
    assert isinstance(first.pop("tried_at"), float)
    assert first == {"info": {"UUID": "c"}, "nodes": [{"name": "n1"}], "volumes": [{"name": "v"}]}
    assert len(session.calls) == 3
    lightbits.forget_cluster_state("lb-backend")
    lightbits.cluster_state(None, "lb-backend")
    assert len(session.calls) == 6


def _no_endpoint_answers(monkeypatch):
    cache.clear()
    shared_cache.clear_local()
    session = FakeSession({})
    monkeypatch.setattr(lightbits.requests, "Session", lambda: session)
    return session


@override_settings(LIGHTBITS_DASHBOARD={"CLUSTERS": CLUSTERS, "CLUSTER_CACHE_SECONDS": 60})
def test_an_unreachable_cluster_is_not_asked_again_on_every_page_view(monkeypatch):
    session = _no_endpoint_answers(monkeypatch)
    for _ in range(3):
        with pytest.raises(lightbits.LightbitsUnreachable) as raised:
            lightbits.cluster_state(None, "lb-backend")
        assert TOKEN not in str(raised.value)
    assert len(session.calls) == 1
    # a refresh (after an action) asks again
    with pytest.raises(lightbits.LightbitsUnreachable):
        lightbits.cluster_state(None, "lb-backend", refresh=True)
    assert len(session.calls) == 2


@override_settings(LIGHTBITS_DASHBOARD={"CLUSTERS": CLUSTERS, "CLUSTER_CACHE_SECONDS": 60})
def test_a_cluster_that_gives_no_answer_twice_is_down_and_told_without_details(monkeypatch):
    session = _no_endpoint_answers(monkeypatch)
    now = [1000.0]
    monkeypatch.setattr(lightbits.time, "time", lambda: now[0])
    # one missed answer (a slow moment) is not "down"; it is tried again soon
    assert [lightbits.unreachable_since(None, "lb-backend") for _ in range(3)] == [None] * 3
    assert len(session.calls) == 1
    now[0] += lightbits.PROBE_RETRY_SECONDS
    since = [lightbits.unreachable_since(None, "lb-backend") for _ in range(3)]
    assert since == [1000.0] * 3  # down since the first miss
    assert len(session.calls) == 2  # then the cache, for CLUSTER_CACHE_SECONDS
    # the admin page does not wait for it again either
    with pytest.raises(lightbits.LightbitsUnreachable):
        lightbits.cluster_state(None, "lb-backend")
    assert len(session.calls) == 2
    now[0] += 60
    assert lightbits.unreachable_since(None, "lb-backend") == 1000.0  # still down
    assert len(session.calls) == 3
    assert lightbits.unreachable_since(None, "not-configured") is None


@override_settings(LIGHTBITS_DASHBOARD={"CLUSTERS": CLUSTERS, "CLUSTER_CACHE_SECONDS": 60})
def test_a_missed_answer_then_an_answer_is_not_down(monkeypatch):
    session = _no_endpoint_answers(monkeypatch)
    now = [1000.0]
    monkeypatch.setattr(lightbits.time, "time", lambda: now[0])
    assert lightbits.unreachable_since(None, "lb-backend") is None
    session.answers["https://10.9.9.9:443/api/v2/clusterinfo"] = _response(200, {})
    now[0] += lightbits.PROBE_RETRY_SECONDS
    assert lightbits.unreachable_since(None, "lb-backend") is None
    now[0] += 60
    session.answers.clear()  # a new miss starts a new count
    assert lightbits.unreachable_since(None, "lb-backend") is None
    assert len(session.calls) == 3


def _seconds_to_down(session, now, last_answer):
    """Views every second after the cluster's last answer (then silence):
    seconds until one says it is down; what it says is its last answer."""
    session.answers.clear()
    while lightbits.unreachable_since(None, "lb-backend") is None:
        assert now[0] - last_answer < 120, "never said down"
        now[0] += 1
    assert lightbits.unreachable_since(None, "lb-backend") == last_answer
    return now[0] - last_answer


ANSWERS = {
    "https://10.9.9.9:443/api/v2/clusterinfo": _response(200, {"UUID": "c"}),
    "https://10.9.9.9:443/api/v2/nodes": _response(200, {"nodes": []}),
    "https://10.9.9.9:443/api/v2/volumes": _response(200, {"volumes": []}),
}


@override_settings(LIGHTBITS_DASHBOARD={"CLUSTERS": CLUSTERS, "CLUSTER_CACHE_SECONDS": 15})
def test_a_cluster_that_stops_answering_is_down_within_one_cache_time(monkeypatch):
    session = _no_endpoint_answers(monkeypatch)
    now = [1000.0]
    monkeypatch.setattr(lightbits.time, "time", lambda: now[0])
    session.answers.update(ANSWERS)
    # last answered the project panel's probe
    assert lightbits.unreachable_since(None, "lb-backend") is None
    assert _seconds_to_down(session, now, 1000.0) <= 15
    # last answered the admin page (its cluster state, cached for 15 s)
    now[0] = 2000.0
    cache.clear()
    shared_cache.clear_local()
    session.answers.update(ANSWERS)
    lightbits.cluster_state(None, "lb-backend")
    assert _seconds_to_down(session, now, 2000.0) <= 15


@override_settings(LIGHTBITS_DASHBOARD={"CLUSTERS": CLUSTERS, "CLUSTER_CACHE_SECONDS": 60})
def test_a_cluster_that_answers_even_with_an_error_is_not_down(monkeypatch):
    cache.clear()
    shared_cache.clear_local()
    session = FakeSession({"https://10.9.9.9:443/api/v2/clusterinfo": _response(401, {})})
    monkeypatch.setattr(lightbits.requests, "Session", lambda: session)
    assert lightbits.unreachable_since(None, "lb-backend") is None
    assert lightbits.unreachable_since(None, "lb-backend") is None
    assert len(session.calls) == 1


@override_settings(LIGHTBITS_DASHBOARD={"CLUSTERS": {}})
def test_unknown_backend_is_a_config_error():
    with pytest.raises(lightbits.LightbitsConfigError):
        lightbits.cluster_state(None, "nope")


def test_error_reports_hide_the_token_in_frame_locals():
    import sys

    from django.views.debug import ExceptionReporter

    class Exploding:
        def request(self, *args, **kwargs):
            raise RuntimeError("unexpected")

    try:
        _client(Exploding()).cluster_info()
    except lightbits.LightbitsError as exc:
        assert "RuntimeError" in str(exc)
        # The report an admin gets by mail (DEBUG off), frame locals included.
        report = ExceptionReporter(None, *sys.exc_info()).get_traceback_html()
    assert "cluster_info" in report
    assert "all_headers" in report  # the frame is there, its value hidden
    assert TOKEN not in report


def test_error_reports_hide_a_jwt_in_the_settings():
    import sys

    from django.views.debug import ExceptionReporter

    with override_settings(
        LIGHTBITS_DASHBOARD={"CLUSTERS": {"lb": {"jwt": TOKEN, "api_endpoints": ["a:1"]}}}
    ):
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            reporter = ExceptionReporter(None, *sys.exc_info())
            text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
    assert "LIGHTBITS_DASHBOARD" in text
    assert TOKEN not in text
    assert TOKEN not in html


def test_the_jwt_is_hidden_by_the_configured_filter_not_by_patching_django():
    from django.views.debug import SafeExceptionReporterFilter, get_exception_reporter_filter

    from lightbits_dashboard.reporting import ReporterFilter

    assert "JWT" not in SafeExceptionReporterFilter.hidden_settings.pattern
    active = get_exception_reporter_filter(None)
    assert isinstance(active, ReporterFilter)
    assert active.cleanse_setting("LIGHTBITS_DASHBOARD", {"c": {"jwt": TOKEN}}) == {
        "c": {"jwt": active.cleansed_substitute}
    }


def test_the_jwt_file_is_read_again_only_when_it_changed(tmp_path):
    import os

    path = tmp_path / "lb.jwt"
    path.write_text(TOKEN + "\n")
    client = lightbits.Client(["a:1"], jwt_file=str(path))
    assert client._file_token() == TOKEN
    with mock.patch("builtins.open", side_effect=AssertionError("read again")):
        assert client._file_token() == TOKEN  # same mtime: cached
    path.write_text("other.token.value")
    os.utime(path, ns=(1, 1))
    assert client._file_token() == "other.token.value"


def test_error_reports_hide_the_cluster_settings_in_frame_locals(monkeypatch):
    """cluster_state holds the cluster's settings (its JWT) in a local."""
    import sys

    from django.views.debug import ExceptionReporter

    class Exploding:
        def request(self, *args, **kwargs):
            raise RuntimeError("unexpected")

    cache.clear()
    shared_cache.clear_local()
    monkeypatch.setattr(lightbits.requests, "Session", Exploding)
    with override_settings(
        LIGHTBITS_DASHBOARD={"CLUSTERS": {"lb": {"jwt": TOKEN, "api_endpoints": ["a:1"]}}}
    ):
        try:
            lightbits.cluster_state(None, "lb")
        except lightbits.LightbitsError:
            report = ExceptionReporter(None, *sys.exc_info()).get_traceback_html()
    assert "cluster_state" in report
    assert TOKEN not in report


def test_error_reports_hide_the_jwt_while_a_client_is_built(monkeypatch):
    import sys

    from django.views.debug import ExceptionReporter

    def broken_session():
        raise RuntimeError("no session")

    monkeypatch.setattr(lightbits.requests, "Session", broken_session)
    with override_settings(
        LIGHTBITS_DASHBOARD={"CLUSTERS": {"lb": {"jwt": TOKEN, "api_endpoints": ["a:1"]}}}
    ):
        try:
            lightbits.client_for("lb")
        except RuntimeError:
            report = ExceptionReporter(None, *sys.exc_info()).get_traceback_html()
    assert "client_for" in report and "__init__" in report
    assert TOKEN not in report


# -- what a real cluster does (doc/source/reference/lightbits-api.md) ---------


class PagedVolumes:
    """A cluster's volume list: at most 1,000 per call, ``offsetUUID`` paging
    (facts: Delete + list [P]). ``inclusive``: the page starts at the offset
    volume (the other reading of UNKNOWN offset semantics); ``ignore_paging``:
    a server that answers everything at once. Counts its calls."""

    def __init__(self, volumes, inclusive=False, ignore_paging=False):
        self.volumes = sorted(volumes, key=lambda v: v["UUID"])
        self.inclusive = inclusive
        self.ignore_paging = ignore_paging
        self.calls = 0

    def __call__(self, method, url, kwargs):
        self.calls += 1
        if self.ignore_paging:
            return _response(200, {"volumes": self.volumes})
        params = kwargs.get("params") or {}
        limit = min(int(params.get("limit") or 1000), 1000)
        offset = params.get("offsetUUID")
        start = 0
        if offset:
            after = [i for i, v in enumerate(self.volumes) if v["UUID"] > offset]
            start = after[0] if after else len(self.volumes)
            if self.inclusive and start and self.volumes[start - 1]["UUID"] == offset:
                start -= 1
        page = self.volumes[start : start + limit]
        return _response(200, {"volumes": page} if page else {})


def _volumes(n):
    return [
        {
            "UUID": f"{i:08x}-0000-4000-8000-000000000000",
            "name": f"volume-{i}",
            "size": str(i << 12),
        }
        for i in range(n)
    ]


@pytest.mark.parametrize(
    "n, inclusive, ignore, calls",
    [
        (0, False, False, 1),
        (999, False, False, 1),
        (1000, False, False, 2),  # a full page: one more call finds the end
        (2500, False, False, 3),
        (2500, True, False, 3),  # the offset volume repeated: skipped
        (2500, False, True, 2),  # no paging at all: the repeat ends the walk
    ],
)
def test_every_volume_is_listed_over_pages(n, inclusive, ignore, calls):
    cluster = PagedVolumes(_volumes(n), inclusive=inclusive, ignore_paging=ignore)
    session = FakeSession({"https://10.0.0.1:443": cluster})
    listed = _client(session).list_volumes()
    assert sorted(v["UUID"] for v in listed) == [v["UUID"] for v in cluster.volumes]
    assert cluster.calls == calls
    first = session.calls[0][2]["params"]
    assert first == {"showAll": "true", "limit": 1000}
    if calls > 1 and not ignore:
        assert session.calls[1][2]["params"]["offsetUUID"] == cluster.volumes[999]["UUID"]


def test_the_admin_page_sees_25000_volumes_over_25_pages(monkeypatch):
    cluster = PagedVolumes(_volumes(25000))
    answers = {
        "/api/v2/clusterinfo": _response(200, {"UUID": "c1"}),
        "/api/v2/nodes": _response(200, {"nodes": [{"UUID": "n1", "state": "Active"}]}),
    }

    def route(method, url, kwargs):
        path = "/api/" + url.split("/api/", 1)[1]
        return cluster(method, url, kwargs) if path == "/api/v2/volumes" else answers[path]

    session = FakeSession({"https://10.0.0.1:443": route})
    monkeypatch.setattr(lightbits.requests, "Session", lambda: session)
    settings = {"CLUSTERS": {"lb": {"api_endpoints": ["10.0.0.1:443"], "jwt": TOKEN}}}
    with override_settings(LIGHTBITS_DASHBOARD=settings):
        cache.clear()
        state = lightbits.cluster_state(None, "lb", refresh=True)
    assert len(state["volumes"]) == 25000
    assert {v["UUID"] for v in state["volumes"]} == {v["UUID"] for v in cluster.volumes}
    assert cluster.calls == 26  # 25 full pages and the empty one that ends the walk
    assert state["volumes"][0]["size"] == "0"  # uint64 kept as the cluster's string


def test_unknown_fields_are_ignored_and_uint64_strings_kept():
    vol = {
        "UUID": "u1",
        "size": "18446744073709551615",
        "newField": {"x": 1},
        "state": "Available",
    }
    session = FakeSession({"https://10.0.0.1:443": _response(200, {"volumes": [vol], "extra": 1})})
    assert _client(session).list_volumes() == [vol]
    assert lightbits._slim(vol) == {
        "UUID": "u1",
        "size": "18446744073709551615",
        "state": "Available",
    }


def test_a_busy_cluster_is_retried_with_backoff_then_reported():
    waits = []
    answers = iter(
        [_response(503, {"message": "volume is Creating"})] * 2 + [_response(200, {"UUID": "c"})]
    )
    session = FakeSession({"https://10.0.0.1:443": lambda *a: next(answers)})
    assert _client(session, sleep=waits.append).cluster_info() == {"UUID": "c"}
    assert waits == [0.5, 1.0] and len(session.calls) == 3
    session = FakeSession(
        {"https://10.0.0.1:443": _response(503, {"message": "volume is Updating"})}
    )
    with pytest.raises(lightbits.LightbitsBusy) as err:
        _client(session, sleep=waits.append).cluster_info()
    assert len(session.calls) == 1 + lightbits.BUSY_RETRIES  # bounded, same endpoint
    assert "busy; try again in a moment" in str(err.value) and "volume is Updating" in str(
        err.value
    )
    assert err.value.status == 503


@pytest.mark.parametrize(
    "status, exc, words",
    [
        (400, lightbits.LightbitsRefused, "the cluster refused the request"),
        (409, lightbits.LightbitsConflict, "the name exists or another operation"),
        (412, lightbits.LightbitsConflict, "changed since it was read"),
    ],
)
def test_400_409_412_have_clear_messages(status, exc, words):
    session = FakeSession({"https://10.0.0.1:443": _response(status, {"message": "detail here"})})
    with pytest.raises(exc) as err:
        _client(session).cluster_info()
    assert words in str(err.value) and "detail here" in str(err.value)
    assert err.value.status == status and len(session.calls) == 1  # not retried
