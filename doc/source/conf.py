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

"""Sphinx configuration of the lightbits-dashboard guides (Markdown, MyST).

Built by tools/run-tests with warnings as errors:
    sphinx-build -W -b html doc/source doc/build/html
"""

project = "lightbits-dashboard"
copyright = "lightbits-dashboard contributors"

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
root_doc = "index"

# Anchors for "## Heading" so pages can link to a section (page.md#anchor).
myst_heading_anchors = 3

exclude_patterns = ["_build"]
pygments_style = "sphinx"
# Sphinx's own theme: openstackdocstheme would brand the pages as the
# OpenStack project's docs (its footer, license and links) and take the
# version from pbr.
html_theme = "alabaster"
# The settings and benchmark tables need the width.
html_theme_options = {"page_width": "95%", "body_max_width": "none"}
html_title = "lightbits-dashboard"
html_static_path = []
