"""An interrupted launch's servers on the Launches page: Horizon stopped 10 s
into a launch of 3, two servers ACTIVE in Nova (one id recorded, one not),
the third instance still cloning. Each row shows its server, the one whose
id the launch never recorded marked as found."""

import re
from unittest import mock
from urllib.parse import parse_qs, urlparse

import requests
from django.core.cache import cache
from django.urls import reverse
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import shared_cache
from lightbits_dashboard.dashboards.project.lightbits_images.launches import ops as launch_ops
from lightbits_dashboard.dashboards.project.lightbits_images.launches import rows as launch_rows
from lightbits_dashboard.launch import record
from tests.unit import factories
from tests.unit.admin import cloud_data
from tests.unit.admin.fake_cloud_http import route

LAUNCHES_URL = reverse("horizon:project:lightbits_images:launches")
SPEC = record.ServerSpec(flavor="f1", networks=("n1",))


def web(index, state, server_id=None):
    """Instance ``index`` of the launch "web" of 3."""
    return record.LaunchRecord(
        "L1", "web", index, 3, f"web-{index}", "img-1", state, SPEC, server_id=server_id
    )


class FoundServerRowTests(test.TestCase):
    """The rows' data from one volume list and one server list."""

    def setUp(self):
        super().setUp()
        cache.clear()
        shared_cache.clear_local()

    def _volume(self, rec, status="in-use", attachments=None):
        return factories.volume(
            f"{rec.server_name}-boot",
            status=status,
            metadata=record.encode(rec),
            attachments=attachments,
        )

    def test_recorded_attached_and_named_servers_are_shown_and_the_found_ones_marked(self):
        recorded = self._volume(web(1, record.BOOTING, server_id="s1"))
        attached = self._volume(
            web(2, record.BOOTING), attachments=[{"server_id": "s2", "id": "a2"}]
        )
        named = self._volume(web(3, record.BOOTING), status="reserved")
        mark = {record.SERVER_MARK: named.id}
        servers = [
            factories.server("s1", "ACTIVE", name="web-1"),
            factories.server("s2", "ACTIVE", name="web-2"),
            factories.server("s3", "BUILD", name="web-3", metadata=mark),
            factories.server("s4", "ACTIVE", name="web-3"),  # another server of that name
        ]
        rows = launch_rows.rows_from([recorded, attached, named], servers, "1")
        self.assertEqual(
            [
                ("web-1", "interrupted", "s1", "ACTIVE", launch_rows.RECORDED),
                ("web-2", "interrupted", "s2", "ACTIVE", launch_rows.FOUND_ATTACHED),
                ("web-3", "interrupted", "s3", "BUILD", launch_rows.FOUND_BY_NAME),
            ],
            [(r.server_name, r.state, r.server_id, r.server_status, r.server_found) for r in rows],
        )

    def test_a_server_of_the_name_without_the_launchs_mark_is_not_its_server(self):
        volume = self._volume(web(1, record.BOOTING), status="reserved")
        other = factories.server("s9", "ACTIVE", name="web-1")
        (row,) = launch_rows.rows_from([volume], [other], "1")
        self.assertEqual((None, None), (row.server_id, row.server_status))


class NamesPatternTests(test.TestCase):
    def test_matches_exactly_the_names_with_no_bar_for_novas_mysql_escaping(self):
        names = ["web-1", "web-2", "a.b (c)", "x|y", "web"]
        pattern = launch_ops.names_pattern(names)
        # what Nova runs on MySQL and MariaDB: every "|" escaped
        mysql = pattern.replace("|", "\\|")
        others = ["web-10", "web-", "aXb (c)", "x", "y", "xy"]
        for regex in (pattern, mysql):
            matched = [n for n in names + others if re.search(regex, n)]
            self.assertEqual(sorted(names), sorted(matched), regex)


class LaunchesPageOverHttpTests(test.TestCase):
    """The page through the real novaclient and cinderclient, Nova's name
    filter as it runs on MySQL/MariaDB (fake_cloud_http)."""

    def setUp(self):
        super().setUp()
        cache.clear()
        shared_cache.clear_local()

    def test_each_row_shows_its_active_server_from_one_bounded_nova_list(self):
        project = self.tenant.id
        volumes = [
            factories.volume(
                name=f"web-{i}-boot", project=project, status=status, metadata=record.encode(rec)
            )
            for i, status, rec in (
                (1, "in-use", web(1, record.BOOTING, server_id="s1")),
                (2, "reserved", web(2, record.BOOTING)),  # its id never recorded
                (3, "creating", web(3, record.CLONING)),
            )
        ]
        servers = [
            cloud_data.server_dict("s1", "web-1", project),
            cloud_data.server_dict(
                "s2", "web-2", project, metadata={record.SERVER_MARK: volumes[1].id}
            ),
            cloud_data.server_dict("s8", "other", project),
        ]
        cloud = cloud_data.launch_cloud(project, volumes, servers)
        cloud.latency = 0
        urls, fake = [], route(cloud, None)

        def request(session, method, url, **kwargs):
            urls.append(url)
            return fake(session, method, url, **kwargs)

        with mock.patch.object(requests.Session, "request", request):
            res = self.client.get(LAUNCHES_URL)
        self.assertEqual(200, res.status_code)
        rows = {row.server_name: row for row in res.context["table"].data}
        self.assertEqual(
            {
                "web-1": ("interrupted", "ACTIVE", launch_rows.RECORDED),
                "web-2": ("interrupted", "ACTIVE", launch_rows.FOUND_BY_NAME),
                "web-3": ("interrupted", None, launch_rows.RECORDED),
            },
            {n: (r.state, r.server_status, r.server_found) for n, r in rows.items()},
        )
        self.assertContains(res, "ACTIVE (found by name)", count=1)
        (nova,) = [parse_qs(urlparse(u).query) for u in urls if "/servers/detail" in u]
        # the page's 3 servers and as many others of their names, at most
        self.assertEqual(["6"], nova["limit"])
