"""Admin > Volume > Lightbits Image Volumes through Horizon's test client."""

import logging
import re
import time
from html.parser import HTMLParser
from types import SimpleNamespace
from unittest import mock

import horizon
import requests
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from glanceclient import exc as glance_exc
from openstack_auth import policy
from openstack_dashboard import api
from openstack_dashboard.test import helpers as test

from lightbits_dashboard import inventory as inv
from lightbits_dashboard import shared_cache
from lightbits_dashboard.api import cinder_admin
from lightbits_dashboard.api import glance as lb_glance
from lightbits_dashboard.api import lightbits as lb_api
from lightbits_dashboard.dashboards.admin.lightbits_image_volumes import collect, texts
from tests.unit import factories
from tests.unit.admin import fakes
from tests.unit.api.test_shared_cache import PrivateMemcached, memcached_caches

TOKEN = "eyJhbGciOiJSUzI1NiJ9.TOP-SECRET-CLUSTER-ADMIN.c2lnbmF0dXJl"
PANEL = "horizon:admin:lightbits_image_volumes:"
INDEX = reverse(PANEL + "index")
SETTINGS = {
    "STORE_VOLUME_TYPES": {"lightbits": ["lightbits"]},
    "CLUSTERS": {"lightbits": {"api_endpoints": ["10.20.30.40:443"], "jwt": TOKEN}},
    "SERVICE_PROJECTS": [factories.SERVICE],
    "CLUSTER_CACHE_SECONDS": 60,
    # The view waits for the background build: these tests see it done.
    "INVENTORY_BUILD_WAIT": 30,
}
LIST_MOCKS = {
    collect: ("image_list_all",),
    lb_glance: ("store_list_detail",),
    api.cinder: ("volume_list", "volume_type_list"),
    api.keystone: ("tenant_list",),
}


class _Cells(HTMLParser):
    """{table id: [[(cell HTML, cell text)] per body row]}, actions left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.table, self.cell, self.depth = {}, None, None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.table = self.tables.setdefault(attrs.get("id"), [])
        elif tag == "tr" and self.table is not None and "__row__" in (attrs.get("id") or ""):
            self.table.append([])
        elif tag == "td" and self.table and "actions_column" not in attrs.get("class", ""):
            self.cell, self.depth = ["", ""], 0
        elif self.cell is not None:
            self.depth += 1
            self.cell[0] += self.get_starttag_text()

    def handle_endtag(self, tag):
        if self.cell is not None and tag == "td" and self.depth == 0:
            self.table[-1].append((self.cell[0], " ".join(self.cell[1].split())))
            self.cell = None
        elif self.cell is not None:
            self.depth -= 1
            self.cell[0] += f"</{tag}>"
        if tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data
            self.cell[1] += data


def table_cells(content):
    parser = _Cells()
    parser.feed(content)
    return parser.tables


class _LogCapture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


# Horizon's default-sized local-memory cache (300 entries, culled by a third
# when full), which Horizon's compressor fills during a page render: the
# plugin's own entries must survive it (lightbits_dashboard.shared_cache).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "lightbits-admin-tests",
    }
}


def clear_caches():
    cache.clear()
    shared_cache.get_cache().clear()


@override_settings(LIGHTBITS_DASHBOARD=SETTINGS, CACHES=CACHES)
class _PanelTest(test.BaseAdminViewTests):
    view = None  # the panel's view that url() names

    def url(self, obj):
        """The URL of ``self.view`` for the volume or image ``obj``."""
        return reverse(PANEL + self.view, args=[obj.id])

    def setUp(self):
        super().setUp()
        clear_caches()
        self.logs = _LogCapture()
        root = logging.getLogger()
        root.addHandler(self.logs)
        self.addCleanup(root.removeHandler, self.logs)
        for name in ("lightbits_dashboard", "horizon", "openstack_dashboard"):
            logger = logging.getLogger(name)
            logger.addHandler(self.logs)
            self.addCleanup(logger.removeHandler, self.logs)

    def use_lightbits(self, session):
        patcher = mock.patch.object(lb_api.requests, "Session", return_value=session)
        patcher.start()
        self.addCleanup(patcher.stop)
        return session

    def lists(self, images, volumes, lb_volumes=(), session=None):
        self.mock_image_list_all.return_value = images
        self.mock_store_list_detail.return_value = fakes.stores()
        self.mock_volume_list.return_value = volumes
        self.mock_volume_type_list.return_value = fakes.volume_types()
        self.mock_tenant_list.return_value = ([], False)
        return self.use_lightbits(
            session or fakes.FakeLightbits(fakes.cluster_body(list(lb_volumes)))
        )

    def assert_no_token(self, res):
        self.assertNotIn(TOKEN, res.content.decode())
        for message in get_messages(res.wsgi_request):
            self.assertNotIn(TOKEN, str(message))
        for line in self.logs.records:
            self.assertNotIn(TOKEN, line)

    def counts(self, res):
        return {code: count for code, _label, count, _tab in res.context["finding_counts"]}


class IndexTests(_PanelTest):
    def scenario(self):
        """One of every finding, plus a healthy chain."""
        s = {}
        # updated after its cache entry was made (created_at 2026-01-01): stale
        s["healthy"] = factories.image(name="healthy-image", updated_at="2026-01-02T00:00:00Z")
        s["healthy_vol"] = factories.image_volume(s["healthy"])
        s["file_only"] = factories.image(name="file-image", stores="file")
        s["qcow2"] = factories.image(name="qcow2-image", disk_format="qcow2")
        s["qcow2_vol"] = factories.image_volume(s["qcow2"])
        s["writable"] = factories.image(name="writable-image")
        s["writable_vol"] = factories.image_volume(s["writable"], readonly=False)
        s["user"] = factories.image(name="user-project-image", owner=factories.USER)
        s["user_vol"] = factories.image_volume(s["user"], project=factories.USER)
        gone = factories.image()
        s["orphan"] = factories.image_volume(gone)
        s["cache"] = factories.volume(
            name="image-" + s["healthy"].id,
            project="internal",
            volume_image_metadata={"image_id": s["healthy"].id},
            metadata={"readonly": "True"},
        )
        s["missing"] = factories.volume(name="boot-missing")
        s["degraded"] = factories.volume(name="boot-degraded")
        s["ro"] = factories.volume(name="boot-ro")
        s["na"] = factories.volume(name="boot-na")
        s["clone"] = factories.volume(
            name="boot-clone", volume_image_metadata={"image_id": s["healthy"].id}
        )
        s["stray"] = fakes.lb_volume(factories.volume())
        s["lost"] = factories.image(name="lost-image")  # in the Lightbits store, no volume
        images = [s["healthy"], s["file_only"], s["qcow2"], s["writable"], s["user"], s["lost"]]
        volumes = [
            s[k]
            for k in (
                "healthy_vol",
                "qcow2_vol",
                "writable_vol",
                "user_vol",
                "orphan",
                "cache",
                "missing",
                "degraded",
                "ro",
                "na",
                "clone",
            )
        ]
        lbs = [
            fakes.lb_volume(s[k])
            for k in ("healthy_vol", "qcow2_vol", "writable_vol", "user_vol", "orphan", "cache")
        ] + [
            fakes.lb_volume(s["degraded"], protection="Degraded"),
            fakes.lb_volume(s["ro"], protection="ReadOnly"),
            fakes.lb_volume(s["na"], protection="NotAvailable"),
            fakes.lb_volume(s["clone"], sourceSnapshotName="for_clone_" + s["clone"].id),
            s["stray"],
        ]
        return s, images, volumes, lbs

    @test.create_mocks(LIST_MOCKS)
    def test_every_finding_is_counted_and_shown(self):
        s, images, volumes, lbs = self.scenario()
        session = self.lists(images, volumes, lbs)
        with self.settings(API_RESULT_PAGE_SIZE=100):
            res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        self.assertTemplateUsed(res, "admin/lightbits_image_volumes/index.html")
        self.assertEqual(
            self.counts(res),
            {
                inv.NOT_ON_LIGHTBITS: 1,
                inv.NEVER_FAST_CLONE: 1,
                inv.NOT_READ_ONLY: 1,
                inv.USER_PROJECT: 1,
                inv.ORPHAN: 1,
                inv.CACHE_ENTRY: 1,
                inv.CACHE_ENTRY_STALE: 1,
                inv.LIGHTBITS_MISSING: 1,
                inv.LIGHTBITS_DEGRADED: 1,
                inv.LIGHTBITS_READ_ONLY: 1,
                inv.LIGHTBITS_NOT_AVAILABLE: 1,
                inv.NO_CINDER_VOLUME: 1,
                inv.IMAGE_VOLUME_MISSING: 1,
            },
        )
        content = res.content.decode()
        for label in texts.FINDING_LABELS.values():
            self.assertIn(str(label), content)
        # The four tables are the tabs of the page.
        for name, title in (
            ("images", "Images"),
            ("volumes", "Volumes with findings"),
            ("config", "Configuration"),
            ("clusters", "Lightbits clusters"),
        ):
            self.assertRegex(
                content, f'data-target="#lightbits_inventory__{name}"[^>]*>{title}</a>'
            )
            self.assertIn(f'<table id="{name}"', content)
        # The chain: image -> image volume -> Lightbits volume -> clones.
        self.assertIn(reverse(PANEL + "detail", args=[s["healthy"].id]) + "?pos=0", content)
        self.assertIn(reverse("horizon:admin:volumes:detail", args=[s["healthy_vol"].id]), content)
        self.assertIn(
            f'<span title="{lbs[0]["UUID"]}: Available · FullyProtected">FullyProtected</span>',
            content,
        )
        self.assertIn(': Available · Degraded">Degraded</span>', content)
        # one boot volume from it, a clone
        self.assertIn('<span title="1 cloned, 0 copied">1 / 0</span>', content)
        # Actions exactly where a finding offers them.
        self.assertIn(reverse(PANEL + "copy", args=[s["file_only"].id]), content)
        self.assertIn(reverse(PANEL + "make_read_only", args=[s["writable_vol"].id]), content)
        self.assertIn(reverse(PANEL + "delete_orphan", args=[s["orphan"].id]), content)
        for backing in ("healthy_vol", "qcow2_vol", "writable_vol", "user_vol", "cache"):
            self.assertNotIn(reverse(PANEL + "delete_orphan", args=[s[backing].id]), content)
        self.assertNotIn(reverse(PANEL + "copy", args=[s["healthy"].id]), content)
        # Bulk calls only: one of each, three Lightbits calls for the cluster.
        self.mock_image_list_all.assert_called_once()
        self.mock_volume_list.assert_called_once_with(
            test.IsHttpRequest(), search_opts={"all_tenants": True}
        )
        self.mock_volume_type_list.assert_called_once()
        self.mock_store_list_detail.assert_called_once()
        self.assertEqual(len(session.calls), 3)
        self.assert_no_token(res)

    @test.create_mocks(LIST_MOCKS)
    def test_rows_show_one_short_value_per_cell(self):
        s, images, volumes, lbs = self.scenario()
        s["long"] = factories.image(name="a-very-long-image-name-" + "x" * 60, stores="file")
        self.lists(images + [s["long"]], volumes, lbs)
        with self.settings(API_RESULT_PAGE_SIZE=100):
            res = self.client.get(INDEX)
        cells = table_cells(res.content.decode())
        self.assertEqual(len(cells["images"]), 7)  # one row per image and image volume
        self.assertEqual(len(cells["volumes"]), 7)
        for table in ("images", "volumes", "config", "clusters"):
            for row in cells[table]:
                for html, text in row:
                    self.assertNotRegex(html, "<(br|ul|li|p|div)\\b", (table, html))
                    badges = re.findall(r'class="label[^"]*"[^>]*>([^<]*)<', html)
                    for word in badges or [text]:  # a badge, a name, a count: short
                        self.assertLessEqual(len(word), 30, (table, html))
        self.assertIn(f'title="{s["long"].name}">a-very-long-image-name-…</a>', str(cells))

    @test.create_mocks(LIST_MOCKS)
    def test_the_inventory_age_is_not_a_paragraph_horizon_hides(self):
        s, images, volumes, lbs = self.scenario()
        self.lists(images, volumes, lbs)
        content = self.client.get(INDEX).content.decode()
        self.assertIn('<p id="lightbits_inventory_age"', content)
        # horizon.forms.js hides every p.help-block of the page
        self.assertNotRegex(content, r'<p [^>]*class="[^"]*help-block')

    @test.create_mocks(LIST_MOCKS)
    def test_findings_are_short_labels_with_their_text_in_the_hover(self):
        s, images, volumes, lbs = self.scenario()
        self.lists(images, volumes, lbs)
        content = self.client.get(INDEX).content.decode()
        self.assertIn(
            '<span class="label label-warning" title="Image volume not read-only: The image '
            "volume is writable: anything attaching it can change the image&#x27;s data under "
            'Glance&#x27;s checksum.">Writable</span>',
            content,
        )
        self.assertIn(">Orphan</span>", content)

    @test.create_mocks(LIST_MOCKS)
    def test_finding_counts_open_the_tab_of_the_table_they_are_in(self):
        s, images, volumes, lbs = self.scenario()
        self.lists(images, volumes, lbs)
        content = self.client.get(INDEX).content.decode()
        for code, tab in ((inv.ORPHAN, "volumes"), (inv.NOT_READ_ONLY, "images")):
            self.assertIn(f"?finding={code}&amp;tab=lightbits_inventory__{tab}", content)

    @test.create_mocks(LIST_MOCKS)
    def test_refresh_is_a_post_table_action_and_warns_once(self):
        s, images, volumes, lbs = self.scenario()
        session = self.lists(images, volumes, session=fakes.unreachable())
        content = self.client.get(INDEX).content.decode()
        self.assertIn('value="images__refresh"', content)
        self.assertNotIn("?refresh=", content)
        calls = len(session.calls)
        res = self.client.post(
            INDEX + f"?finding={inv.ORPHAN}", {"action": "volumes__refresh"}, follow=True
        )
        self.assertEqual(
            res.redirect_chain,
            [(INDEX + f"?finding={inv.ORPHAN}&tab=lightbits_inventory__volumes", 302)],
        )
        self.assertGreater(len(session.calls), calls)  # the clusters were asked again
        warnings = [str(m) for m in get_messages(res.wsgi_request) if "did not answer" in str(m)]
        self.assertEqual(len(warnings), 1, warnings)
        self.assertEqual(self.mock_image_list_all.call_count, 2)

    @test.create_mocks(LIST_MOCKS)
    def test_constant_number_of_calls_whatever_the_rows(self):
        calls = []
        for n in (1, 40):
            clear_caches()
            images = [factories.image(name=f"i{i}") for i in range(n)]
            volumes = [factories.image_volume(img) for img in images]
            session = self.lists(images, volumes, [fakes.lb_volume(v) for v in volumes])
            for m in (self.mock_image_list_all, self.mock_volume_list, self.mock_tenant_list):
                m.reset_mock()
            with self.settings(API_RESULT_PAGE_SIZE=100):
                res = self.client.get(INDEX)
            self.assertEqual(len(res.context["images_table"].data), n)
            calls.append(
                (
                    self.mock_image_list_all.call_count,
                    self.mock_volume_list.call_count,
                    self.mock_tenant_list.call_count,
                    len(session.calls),
                )
            )
        self.assertEqual(calls, [(1, 1, 1, 3), (1, 1, 1, 3)])

    @test.create_mocks(LIST_MOCKS)
    def test_cluster_state_is_cached_between_page_views(self):
        s, images, volumes, lbs = self.scenario()
        session = self.lists(images, volumes, lbs)
        self.client.get(INDEX)
        self.client.get(INDEX)
        self.assertEqual(len(session.calls), 3)

    @test.create_mocks(LIST_MOCKS)
    def test_cluster_state_survives_horizons_own_cache_entries(self):
        s, images, volumes, lbs = self.scenario()
        session = self.lists(images, volumes, lbs)
        self.client.get(INDEX)
        # what the compressor and sessions put into Horizon's default cache
        cache.set_many({f"compressor-{i}": "x" * 100 for i in range(1000)}, 60)
        self.client.get(INDEX)
        self.assertEqual(len(session.calls), 3)

    @test.create_mocks(LIST_MOCKS)
    def test_hung_cluster_is_waited_for_once_and_the_page_says_when(self):
        s, images, volumes, lbs = self.scenario()
        session = fakes.FakeLightbits(error=requests.exceptions.ReadTimeout("read timed out"))
        self.lists(images, volumes, session=session)
        first = self.client.get(INDEX)
        with mock.patch("time.time", return_value=time.time() + 7):
            second = self.client.get(INDEX)
        self.assertEqual(len(session.calls), 1)  # the second view did not wait again
        self.assertEqual([c[2]["timeout"] for c in session.calls], [3])  # CLUSTER_TIMEOUT
        # The first view itself takes a while on a busy machine: 0-2 s after the try.
        for res, ago in ((first, r"\([0-2] s ago\)"), (second, r"\([7-9] s ago\)")):
            warnings = [str(m) for m in get_messages(res.wsgi_request)]
            self.assertTrue(any("did not answer" in w and "Last tried at" in w for w in warnings))
            self.assertTrue(any(re.search(ago, w) for w in warnings), warnings)
        self.assert_no_token(second)

    @test.create_mocks(LIST_MOCKS)
    def test_filters_and_bad_filter_values(self):
        s, images, volumes, lbs = self.scenario()
        self.lists(images, volumes, lbs)
        res = self.client.get(INDEX, {"finding": inv.ORPHAN})
        self.assertEqual([r.id for r in res.context["volumes_table"].data], [s["orphan"].id])
        self.assertEqual(res.context["images_table"].data, [])
        res = self.client.get(INDEX, {"store": "file"})
        self.assertEqual(
            [r.image.id for r in res.context["images_table"].data], [s["file_only"].id]
        )
        res = self.client.get(INDEX, {"finding": "<script>bogus</script>"})
        self.assertEqual(res.status_code, 200)
        self.assertTrue(res.context["filter_form"].errors)
        self.assertNotIn("<script>bogus", res.content.decode())

    @test.create_mocks(LIST_MOCKS)
    def test_pagination_keeps_filters(self):
        images = [factories.image(name=f"file-{i}", stores="file") for i in range(5)]
        self.lists(images, [])
        with self.settings(API_RESULT_PAGE_SIZE=2):
            res = self.client.get(INDEX, {"finding": inv.NOT_ON_LIGHTBITS})
            table = res.context["images_table"]
            self.assertEqual(len(table.data), 2)
            self.assertTrue(table.has_more_data())
            self.assertIn(
                f"finding={inv.NOT_ON_LIGHTBITS}&amp;tab=lightbits_inventory__images&amp;images__marker=",
                res.content.decode(),
            )
            first = [r.id for r in table.data]
            res = self.client.get(
                INDEX, {"finding": inv.NOT_ON_LIGHTBITS, "images__marker": table.get_marker()}
            )
            second = [r.id for r in res.context["images_table"].data]
            self.assertEqual(len(second), 2)
            self.assertFalse(set(first) & set(second))
            res = self.client.get(
                INDEX,
                {
                    "finding": inv.NOT_ON_LIGHTBITS,
                    "images__prev_marker": res.context["images_table"].get_prev_marker(),
                },
            )
            self.assertEqual([r.id for r in res.context["images_table"].data], first)

    @test.create_mocks(LIST_MOCKS)
    def test_hostile_names_are_escaped(self):
        evil = "<script>alert('x')</script>"
        img = factories.image(name=evil, stores="file")
        vol = factories.volume(name=evil)
        self.lists([img], [vol], [])  # volume missing on Lightbits: listed with its name
        res = self.client.get(INDEX)
        content = res.content.decode()
        self.assertNotIn(evil, content)
        self.assertIn("&lt;script&gt;", content)

    @test.create_mocks(LIST_MOCKS)
    def test_unreachable_cluster_shows_unknown_and_a_warning(self):
        s, images, volumes, lbs = self.scenario()
        self.lists(images, volumes, session=fakes.unreachable())
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        content = res.content.decode()
        self.assertIn("unknown", content)
        self.assertIn("healthy-image", content)
        warnings = [str(m) for m in get_messages(res.wsgi_request)]
        self.assertTrue(any("did not answer" in w for w in warnings), warnings)
        counts = self.counts(res)
        self.assertEqual(counts[inv.LIGHTBITS_MISSING], 0)  # unknown is not missing
        self.assertEqual(counts[inv.NO_CINDER_VOLUME], 0)
        self.assert_no_token(res)

    @test.create_mocks(LIST_MOCKS)
    def test_cluster_answer_of_another_shape_shows_unknown_not_a_500(self):
        s, images, volumes, lbs = self.scenario()
        for path, body in (
            ("/api/v2/clusterinfo", ["x"]),
            ("/api/v2/nodes", {"nodes": [1, 2]}),
            ("/api/v2/volumes", {"volumes": {"volume-1": {}}}),
        ):
            clear_caches()
            answers = dict(fakes.cluster_body(lbs), **{path: body})
            self.lists(images, volumes, session=fakes.FakeLightbits(answers))
            res = self.client.get(INDEX)
            self.assertEqual(res.status_code, 200, path)
            self.assertIn("unknown", res.content.decode())
            self.assertEqual(self.counts(res)[inv.LIGHTBITS_MISSING], 0)
            self.assert_no_token(res)

    @test.create_mocks(LIST_MOCKS)
    def test_rejected_token_never_shows(self):
        s, images, volumes, lbs = self.scenario()
        session = fakes.FakeLightbits(status=401, error_text=f"bad token: Bearer {TOKEN}")
        self.lists(images, volumes, session=session)
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        warnings = [str(m) for m in get_messages(res.wsgi_request)]
        self.assertTrue(any("HTTP 401" in w for w in warnings), warnings)
        self.assert_no_token(res)

    @test.create_mocks(LIST_MOCKS)
    def test_no_cluster_configured_and_stores_unreadable(self):
        img = factories.image()
        ivol = factories.image_volume(img, readonly=False)
        self.lists([img], [ivol])
        self.mock_store_list_detail.side_effect = self.exceptions.glance
        with self.settings(LIGHTBITS_DASHBOARD=dict(SETTINGS, CLUSTERS={})):
            res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        self.assertMessageCount(res, error=1)
        self.assertEqual(res.context["clusters_table"].data, [])
        counts = self.counts(res)
        self.assertEqual(counts[inv.NOT_READ_ONLY], 1)
        self.assertEqual(counts[inv.LIGHTBITS_MISSING], 0)

    @test.create_mocks(LIST_MOCKS)
    def test_image_list_failure_offers_no_deletion(self):
        s, images, volumes, lbs = self.scenario()
        self.lists(images, volumes, lbs)
        self.mock_image_list_all.side_effect = self.exceptions.glance
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 200)
        self.assertNotIn("delete-orphan", res.content.decode())
        self.assertEqual(self.counts(res)[inv.ORPHAN], 0)


# The APIs are mocked in this process: the build runs in a thread of it.
@override_settings(LIGHTBITS_DASHBOARD=dict(SETTINGS, INVENTORY_BUILD_PROCESS=False))
class MemcachedPageTests(PrivateMemcached, _PanelTest):
    """The plugin's cache on a real memcached (1 MB item limit)."""

    @test.create_mocks(LIST_MOCKS)
    def test_second_view_of_a_25000_volume_cluster_makes_no_cluster_call(self):
        lbs = [fakes.lb_volume(factories.volume()) for _ in range(25000)]
        with self.settings(CACHES=memcached_caches(self.location)):
            session = self.lists([], [], lbs)
            counts = []
            for _ in range(2):
                res = self.client.get(INDEX)
                self.assertEqual(res.status_code, 200)
                counts.append(len(session.calls))
        # The first view: info, nodes and the volume pages; the second: none.
        self.assertGreaterEqual(counts[0], 3)
        self.assertEqual(counts[1], counts[0])


class PolicyTests(test.TestCase):
    def test_non_admin_is_refused(self):
        res = self.client.get(INDEX)
        self.assertEqual(res.status_code, 403)
        self.assertTemplateUsed(res, "not_authorized.html")

    def test_non_admin_is_refused_on_action_urls(self):
        res = self.client.get(reverse(PANEL + "make_read_only", args=[factories.uid()]))
        self.assertEqual(res.status_code, 403)

    def test_panel_policy_needs_cinder_admin(self):
        panel = horizon.get_dashboard("admin").get_panel("lightbits_image_volumes")
        self.assertEqual(panel.policy_rules, (("volume", "context_is_admin"),))
        with override_settings(
            POLICY_CHECK_FUNCTION="openstack_auth.policy.check",
            POLICY_FILES={"volume": "cinder_policy.yaml"},
        ):
            policy.reset()
            self.addCleanup(policy.reset)
            self.assertFalse(panel.allowed({"request": self.request}))
            self.setActiveUser(roles=[self.roles.admin._info])
            self.request.user = self.user
            self.assertTrue(panel.allowed({"request": self.request}))


class MakeReadOnlyTests(_PanelTest):
    view = "make_read_only"

    @test.create_mocks({api.cinder: ("volume_get",)})
    def test_confirmation_page(self):
        vol = factories.image_volume(factories.image(), readonly=False)
        self.mock_volume_get.return_value = vol
        res = self.client.get(self.url(vol))
        self.assertTemplateUsed(res, "admin/lightbits_image_volumes/make_read_only.html")
        self.assertIn(vol.id, res.content.decode())

    @test.create_mocks({api.cinder: ("volume_get",), cinder_admin: ("volume_set_readonly",)})
    def test_success(self):
        vol = factories.image_volume(factories.image(), readonly=False)
        self.mock_volume_get.return_value = vol
        res = self.client.post(self.url(vol), {"volume_id": vol.id})
        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, INDEX)
        self.mock_volume_set_readonly.assert_called_once_with(test.IsHttpRequest(), vol.id, True)

    @test.create_mocks({api.cinder: ("volume_get",), cinder_admin: ("volume_set_readonly",)})
    def test_failure(self):
        vol = factories.image_volume(factories.image(), readonly=False)
        self.mock_volume_get.return_value = vol
        self.mock_volume_set_readonly.side_effect = self.exceptions.cinder
        res = self.client.post(self.url(vol), {"volume_id": vol.id})
        self.assertRedirectsNoFollow(res, INDEX)
        self.assertMessageCount(error=1)

    @test.create_mocks({api.cinder: ("volume_get",), cinder_admin: ("volume_set_readonly",)})
    def test_refused_when_not_available_or_not_an_image_volume(self):
        busy = factories.image_volume(factories.image(), readonly=False, status="in-use")
        plain = factories.volume()
        for vol in (busy, plain):
            self.mock_volume_get.return_value = vol
            res = self.client.post(self.url(vol), {"volume_id": vol.id})
            self.assertEqual(res.status_code, 200)
            self.assertIn("Not made read-only", res.content.decode())
        self.mock_volume_set_readonly.assert_not_called()

    @test.create_mocks({api.cinder: ("volume_get",), cinder_admin: ("volume_set_readonly",)})
    def test_the_url_names_the_volume_not_the_posted_id(self):
        shown = factories.image_volume(factories.image(), readonly=False)
        other = factories.image_volume(factories.image(), readonly=False)
        self.mock_volume_get.return_value = shown
        self.client.post(self.url(shown), {"volume_id": other.id})
        self.mock_volume_get.assert_called_once_with(test.IsHttpRequest(), shown.id)
        self.mock_volume_set_readonly.assert_called_once_with(test.IsHttpRequest(), shown.id, True)

    def test_bad_id_is_404(self):
        res = self.client.get(INDEX + "volumes/not-a-uuid/make-read-only/")
        self.assertEqual(res.status_code, 404)


ORPHAN_MOCKS = {
    api.cinder: ("volume_get", "volume_delete"),
    api.glance: ("image_get",),
    lb_glance: ("image_list_all",),
}


class DeleteOrphanTests(_PanelTest):
    view = "delete_orphan"

    def post(self, vol):
        """POSTs the deletion of ``vol``, which Cinder answers with."""
        self.mock_volume_get.return_value = vol
        return self.client.post(self.url(vol), {"volume_id": vol.id})

    def assert_refused_unchecked(self, vol, said):
        """The deletion of ``vol`` is refused with ``said`` before Glance is asked."""
        self.assertIn(said, self.post(vol).content.decode())
        self.mock_image_get.assert_not_called()
        self.mock_volume_delete.assert_not_called()

    def orphan(self):
        return factories.image_volume(factories.image())

    @test.create_mocks(ORPHAN_MOCKS)
    def test_success_rechecks_then_deletes(self):
        vol = self.orphan()
        self.mock_image_get.side_effect = glance_exc.HTTPNotFound()
        self.mock_image_list_all.return_value = [factories.image()]
        res = self.post(vol)
        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, INDEX)
        self.mock_image_get.assert_called_once_with(
            test.IsHttpRequest(), vol.metadata["glance_image_id"]
        )
        self.mock_volume_delete.assert_called_once_with(test.IsHttpRequest(), vol.id)

    @test.create_mocks(ORPHAN_MOCKS)
    def test_refused_when_the_image_still_exists(self):
        img = factories.image()
        vol = factories.image_volume(img)
        self.mock_image_get.return_value = img
        res = self.post(vol)
        self.assertEqual(res.status_code, 200)
        self.assertIn("still exists", res.content.decode())
        self.mock_volume_delete.assert_not_called()

    @test.create_mocks(ORPHAN_MOCKS)
    def test_refused_when_a_location_points_at_it_or_glance_errs(self):
        vol = self.orphan()
        self.mock_image_get.side_effect = glance_exc.HTTPNotFound()
        holder = factories.image(direct_url=f"cinder://lightbits/{vol.id}")
        self.mock_image_list_all.return_value = [holder]
        res = self.post(vol)
        self.assertIn("location pointing at it", res.content.decode())
        self.mock_image_get.side_effect = self.exceptions.glance
        res = self.post(vol)
        self.assertIn("could not confirm", res.content.decode())
        self.mock_volume_delete.assert_not_called()

    @test.create_mocks(ORPHAN_MOCKS)
    def test_refused_while_cinder_is_busy_with_it(self):
        vol = factories.image_volume(factories.image(), status="deleting")
        self.assert_refused_unchecked(vol, "It is deleting")

    @test.create_mocks(ORPHAN_MOCKS)
    def test_refused_for_cache_entries_and_plain_volumes(self):
        img = factories.image()
        cache_entry = factories.volume(
            name="image-" + img.id, volume_image_metadata={"image_id": img.id}
        )
        for vol in (cache_entry, factories.volume()):
            self.assert_refused_unchecked(vol, "not a Glance image volume")

    @test.create_mocks(ORPHAN_MOCKS)
    def test_failure(self):
        vol = self.orphan()
        self.mock_image_get.side_effect = glance_exc.HTTPNotFound()
        self.mock_image_list_all.return_value = []
        self.mock_volume_delete.side_effect = self.exceptions.cinder
        res = self.post(vol)
        self.assertRedirectsNoFollow(res, INDEX)
        self.assertMessageCount(error=1)


COPY_MOCKS = {
    api.glance: ("image_get",),
    lb_glance: ("store_list_detail", "image_copy_to_stores"),
    api.cinder: ("volume_type_list",),
}


class CopyTests(_PanelTest):
    view = "copy"

    def given(self, stores="file"):
        """An image in ``stores``, what Glance and Cinder say around it."""
        img = factories.image(stores=stores)
        self.mock_image_get.return_value = img
        self.mock_store_list_detail.return_value = fakes.stores()
        self.mock_volume_type_list.return_value = fakes.volume_types()
        return img

    def post(self, img):
        """POSTs the copy of ``img`` to the Lightbits store."""
        return self.client.post(self.url(img), {"image_id": img.id, "store": "lightbits"})

    @test.create_mocks(COPY_MOCKS)
    def test_confirmation_offers_lightbits_stores_only(self):
        img = self.given()
        res = self.client.get(self.url(img))
        self.assertTemplateUsed(res, "admin/lightbits_image_volumes/copy.html")
        self.assertEqual(res.context["form"].fields["store"].choices, [("lightbits", "lightbits")])

    @test.create_mocks(COPY_MOCKS)
    def test_success(self):
        img = self.given()
        res = self.post(img)
        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, INDEX)
        self.mock_image_copy_to_stores.assert_called_once_with(
            test.IsHttpRequest(), img.id, ["lightbits"]
        )

    @test.create_mocks(COPY_MOCKS)
    def test_failure(self):
        img = self.given()
        self.mock_image_copy_to_stores.side_effect = self.exceptions.glance
        res = self.post(img)
        self.assertRedirectsNoFollow(res, INDEX)
        self.assertMessageCount(error=1)

    @test.create_mocks(COPY_MOCKS)
    def test_the_url_names_the_image_not_the_posted_id(self):
        img = self.given()
        self.client.post(self.url(img), {"image_id": factories.uid(), "store": "lightbits"})
        self.mock_image_get.assert_called_with(test.IsHttpRequest(), img.id)
        self.mock_image_copy_to_stores.assert_called_once_with(
            test.IsHttpRequest(), img.id, ["lightbits"]
        )

    @test.create_mocks(COPY_MOCKS)
    def test_refused_when_already_there_or_store_not_lightbits(self):
        img = self.given("file,lightbits")
        res = self.post(img)
        self.assertIn("already in store", res.content.decode())
        res = self.client.post(self.url(img), {"image_id": img.id, "store": "file"})
        self.assertFormErrors(res, 1)
        self.mock_image_get.return_value = factories.image(
            stores="file", os_glance_importing_to_stores="lightbits"
        )
        res = self.post(img)
        self.assertIn("already being copied", res.content.decode())
        self.mock_image_copy_to_stores.assert_not_called()


class ServiceProjectByNameTests(_PanelTest):
    @test.create_mocks(LIST_MOCKS)
    def test_service_project_given_by_name(self):
        in_service, in_user = factories.image(), factories.image(owner=factories.USER)
        volumes = [
            factories.image_volume(in_service, project=factories.SERVICE),
            factories.image_volume(in_user, project=factories.USER),
        ]
        self.lists([in_service, in_user], volumes, [fakes.lb_volume(v) for v in volumes])
        self.mock_tenant_list.return_value = (
            [SimpleNamespace(id=factories.SERVICE, name="service")],
            False,
        )
        with self.settings(LIGHTBITS_DASHBOARD=dict(SETTINGS, SERVICE_PROJECTS=["service"])):
            res = self.client.get(INDEX)
        flagged = [
            r.image.id
            for r in res.context["images_table"].data
            if any(f.code == inv.USER_PROJECT for f in r.findings)
        ]
        self.assertEqual(flagged, [in_user.id])
        self.assertIn("service", res.content.decode())  # project shown by name


class CopyProgressTests(_PanelTest):
    @test.create_mocks(LIST_MOCKS)
    def test_copying_row_polls_for_updates(self):
        img = factories.image(stores="file", os_glance_importing_to_stores="lightbits")
        self.lists([img], [])
        res = self.client.get(INDEX)
        content = res.content.decode()
        self.assertIn("Copying", content)
        self.assertIn("data-update-url", content)
        self.assertIn("copying to lightbits", content)

    @test.create_mocks(
        {
            api.glance: ("image_get",),
            lb_glance: ("image_list_all", "store_list_detail"),
            api.cinder: ("volume_list", "volume_type_list"),
            api.keystone: ("tenant_list",),
        }
    )
    def test_row_update_reads_only_that_image(self):
        img = factories.image(stores="file,lightbits")  # the copy finished
        ivol = factories.image_volume(img)
        self.mock_tenant_list.return_value = ([], False)
        self.mock_image_get.return_value = img
        self.mock_volume_list.return_value = [ivol]
        self.mock_volume_type_list.return_value = fakes.volume_types()
        self.mock_store_list_detail.return_value = fakes.stores()
        self.use_lightbits(fakes.FakeLightbits(fakes.cluster_body([fakes.lb_volume(ivol)])))
        res = self.client.get(
            INDEX,
            {"action": "row_update", "table": "images", "obj_id": img.id},
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
        self.assertEqual(res.status_code, 200)
        content = res.content.decode()
        self.assertIn(ivol.id, content)
        self.assertNotIn("Copying", content)
        self.mock_image_list_all.assert_not_called()
        self.mock_volume_list.assert_called_once_with(
            test.IsHttpRequest(), search_opts={"all_tenants": True, "name": "image-" + img.id}
        )
        self.assertNotIn(TOKEN, content)


class RowUpdateWithoutIdTests(_PanelTest):
    def test_row_update_without_a_row_id_is_404(self):
        res = self.client.get(
            INDEX,
            {"action": "row_update", "table": "images"},
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
        self.assertEqual(res.status_code, 404)


class UnreadableTargetTests(_PanelTest):
    @test.create_mocks(
        {
            api.cinder: ("volume_get", "volume_type_list"),
            api.glance: ("image_get",),
            lb_glance: ("store_list_detail",),
        }
    )
    def test_confirmation_of_an_unreadable_object_goes_back_with_a_message(self):
        self.mock_store_list_detail.return_value = fakes.stores()
        self.mock_volume_type_list.return_value = fakes.volume_types()
        self.mock_volume_get.side_effect = self.exceptions.cinder
        self.mock_image_get.side_effect = self.exceptions.glance
        oid = factories.uid()
        for name in ("make_read_only", "delete_orphan", "copy"):
            res = self.client.get(reverse(PANEL + name, args=[oid]))
            self.assertRedirectsNoFollow(res, INDEX)
        self.assertMessageCount(error=3)
        self.assertEqual(2, self.mock_volume_get.call_count)
        self.mock_image_get.assert_called_once_with(test.IsHttpRequest(), oid)
