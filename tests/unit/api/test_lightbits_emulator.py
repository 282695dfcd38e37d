"""The Lightbits client against the running emulator (HTTPS, JWT, failover)."""

import logging

import pytest
import requests
from django.core.cache import cache
from django.test import override_settings

from lightbits_dashboard import inventory
from lightbits_dashboard.api import lightbits
from lightbits_emulator.testing import run_emulator


@pytest.fixture(scope="module")
def emu():
    with run_emulator(memory=True, nodes=3) as handle:
        yield handle


@pytest.fixture(autouse=True)
def clean(emu):
    emu.reset()
    yield
    emu.reset()


def client(emu, token=None, endpoints=None, **kw):
    kw.setdefault("ca_file", emu.ca_file)
    return lightbits.Client(
        endpoints or [f"127.0.0.1:{emu.port}"],
        jwt=token or emu.admin_jwt,
        name="emu",
        timeout=5,
        **kw,
    )


def create_volume(emu, project, name, replicas=2):
    resp = requests.post(
        f"{emu.base_url}/api/v2/projects/{project}/volumes",
        json={
            "name": name,
            "size": "1 GiB",
            "replicaCount": replicas,
            "compression": "true",
            "acl": {"values": ["ALLOW_NONE"]},
        },
        headers={"Authorization": f"Bearer {emu.admin_jwt}"},
        verify=emu.ca_file,
        timeout=5,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_reads_cluster_nodes_and_all_projects_volumes(emu):
    emu.create_project("other")
    create_volume(emu, "default", "volume-a")
    create_volume(emu, "other", "volume-b")
    c = client(emu)
    assert c.cluster_info()["UUID"]
    assert len(c.nodes()) == 3
    assert sorted(v["name"] for v in c.list_volumes()) == ["volume-a", "volume-b"]
    assert [v["name"] for v in c.list_volumes("other")] == ["volume-b"]


def test_fails_over_from_an_endpoint_with_nothing_listening(emu, caplog):
    caplog.set_level(logging.WARNING)
    c = client(emu, endpoints=[f"127.0.0.2:{emu.port}", f"127.0.0.1:{emu.port}"])
    assert c.cluster_info()["UUID"]
    assert "127.0.0.2" in caplog.text and "gave no answer" in caplog.text


def test_fails_over_on_a_dropped_connection_but_not_on_an_http_error(emu):
    endpoints = [f"127.0.0.1:{emu.port}", f"localhost:{emu.port}"]
    emu.inject_fault("drop", path="/api/v2/nodes", times=1)
    assert len(client(emu, endpoints=endpoints).nodes()) == 3
    emu.inject_fault("status", path="/api/v2/nodes", status=400, message="no", times=1)
    with pytest.raises(lightbits.LightbitsRefused) as err:
        client(emu, endpoints=endpoints).nodes()
    assert err.value.status == 400 and err.value.endpoint.startswith("https://127.0.0.1")


def test_a_busy_cluster_is_retried_a_few_times_then_reported(emu):
    waits = []
    emu.inject_fault("status", path="/api/v2/nodes", status=503, message="busy", times=2)
    assert len(client(emu, sleep=waits.append).nodes()) == 3
    assert waits == [0.5, 1.0]
    emu.inject_fault("status", path="/api/v2/nodes", status=503, message="busy")
    with pytest.raises(lightbits.LightbitsBusy) as err:
        client(emu, sleep=waits.append).nodes()
    assert err.value.status == 503 and "busy; try again" in str(err.value)
    emu.clear_faults()


def test_lists_every_volume_over_real_pages(emu):
    emu.reset()
    with emu.store.lock:
        for i in range(2100):
            emu.store.create_volume(
                "default",
                {
                    "name": f"v{i}",
                    "size": "1 gib",
                    "replicaCount": 1,
                    "acl": {"values": ["ALLOW_NONE"]},
                },
            )
    volumes = client(emu).list_volumes()
    assert len(volumes) == 2100 and len({v["UUID"] for v in volumes}) == 2100
    emu.reset()


def test_all_endpoints_down_is_unreachable(emu):
    c = client(emu, endpoints=[f"127.0.0.2:{emu.port}", "127.0.0.3:9"])
    with pytest.raises(lightbits.LightbitsUnreachable):
        c.cluster_info()


def test_tls_verified_with_the_ca_file_and_refused_without_it(emu):
    assert client(emu).cluster_info()
    with pytest.raises(lightbits.LightbitsUnreachable) as err:
        client(emu, ca_file=None).cluster_info()  # system bundle: emulator CA unknown
    assert "TLS verification failed" in str(err.value)
    assert client(emu, ca_file=None, verify=False).cluster_info()


@pytest.mark.parametrize("kind", ["expired", "forged", "garbage"])
def test_bad_tokens_get_401_and_never_appear(emu, kind, caplog):
    caplog.set_level(logging.DEBUG)
    token = {
        "expired": emu.mint_jwt(project="default", ttl=-60, admin=True),
        "forged": emu.admin_jwt[:-6] + ("AAAAAA" if not emu.admin_jwt.endswith("A") else "BBBBBB"),
        "garbage": "not.a.jwt-at-all",
    }[kind]
    with pytest.raises(lightbits.LightbitsAuthError) as err:
        client(emu, token=token).list_volumes()
    assert err.value.status == 401
    assert token not in str(err.value)
    assert token not in caplog.text


def test_project_token_cannot_read_another_project(emu):
    emu.create_project("other")
    create_volume(emu, "other", "volume-x")
    token = emu.mint_jwt(project="default")
    with pytest.raises(lightbits.LightbitsAuthError) as err:
        client(emu, token=token).list_volumes("other")
    assert err.value.status == 403
    assert token not in str(err.value)


def test_token_never_in_any_error_text(emu, caplog):
    caplog.set_level(logging.DEBUG)
    texts = []
    for c in (
        client(emu, endpoints=[f"127.0.0.2:{emu.port}"]),
        client(emu, ca_file=None),
        client(emu, endpoints=[f"127.0.0.1:{emu.port}"]),
    ):
        emu.inject_fault("status", path=".*", status=500, message=emu.admin_jwt, times=1)
        try:
            c.list_volumes()
        except lightbits.LightbitsError as exc:
            texts.append(str(exc))
        emu.clear_faults()
    assert len(texts) == 3
    for text in texts + [caplog.text]:
        assert emu.admin_jwt not in text


def test_protection_state_follows_node_health_into_the_inventory(emu, settings):
    settings.LIGHTBITS_DASHBOARD = {
        "CLUSTERS": {
            "lightbits": {
                "api_endpoints": [f"127.0.0.1:{emu.port}"],
                "jwt": emu.admin_jwt,
                "ca_file": emu.ca_file,
            }
        },
        "CLUSTER_CACHE_SECONDS": 0,
    }
    cache.clear()
    cinder_id = "11111111-2222-3333-4444-555555555555"
    created = create_volume(emu, "default", f"volume-{cinder_id}", replicas=3)
    emu.node_down(emu.nodes()[0]["name"])
    state = lightbits.cluster_state(None, "lightbits", refresh=True)
    cinder_volume = {
        "id": cinder_id,
        "name": "boot",
        "status": "available",
        "volume_type": "lightbits",
        "metadata": {},
    }
    types = [{"name": "lightbits", "extra_specs": {"volume_backend_name": "lightbits"}}]
    result = inventory.build([], [cinder_volume], types, [], {"lightbits": state})
    [row] = result.volume_rows
    assert row.lightbits.volume["UUID"] == created["UUID"]
    assert [f.code for f in row.findings] == [inventory.LIGHTBITS_DEGRADED]
    assert result.clusters["lightbits"].nodes_inactive == 1


@override_settings(LIGHTBITS_DASHBOARD={"CLUSTERS": {}})
def test_settings_without_clusters_have_no_backends():
    assert lightbits.backends() == {}
