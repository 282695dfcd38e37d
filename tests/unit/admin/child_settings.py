"""Settings of the inventory build's child process in tests and in
tools/bench-admin-page: the unit tests' settings, the parent's overrides
(child_cloud.write), and the parent's fake cloud over HTTP."""

from tests.settings import *  # noqa: F403
from tests.unit.admin import child_cloud

globals().update(child_cloud.settings())
child_cloud.install()
