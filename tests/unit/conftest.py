#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""The unit tests mock Horizon's api.cinder.volume_list; the project panel
and the admin inventory list volumes with cinderclient's raw list (no
Horizon wrapper, lightbits_dashboard.api.cinder.volume_list_raw): route it
to the mocked wrapper, so each test keeps one mock for Cinder's volumes.
Tests marked ``raw_volume_list`` see the real one.
Every test starts with an empty shared cache."""

import pytest


@pytest.fixture(autouse=True)
def _raw_volume_list_through_horizons_mock(request, monkeypatch):
    if request.node.get_closest_marker("raw_volume_list"):
        return
    from openstack_dashboard import api

    from lightbits_dashboard.api import cinder as lb_cinder

    monkeypatch.setattr(
        lb_cinder,
        "volume_list_raw",
        lambda req, search_opts: api.cinder.volume_list(req, search_opts=search_opts),
    )


@pytest.fixture(autouse=True)
def _empty_shared_cache():
    """Each test starts with the plugin's shared cache empty: shared facts
    (CLOUD_FACTS_MAX_AGE) kept by one test are never read by the next."""
    from lightbits_dashboard import shared_cache

    shared_cache.get_cache().clear()
