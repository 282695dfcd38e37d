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

"""What the inventory's codes say, translated: finding labels and texts,
volume kinds, configuration notes. The logic (lightbits_dashboard.inventory)
returns codes and parameters only; this is the one place they become words."""

import time
from collections import defaultdict

from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from lightbits_dashboard import cache_view
from lightbits_dashboard import inventory as inv

# An empty table while the first whole-cloud inventory is being built.
INVENTORY_BEING_BUILT = _("The inventory is being built; this page reloads when it is ready.")


def image_not_in_inventory(image_id, head):
    return gettext(
        "Image %(image)s is not in the inventory built %(age)s s ago: if it is "
        "new, Refresh the inventory."
    ) % {"image": image_id, "age": max(0, int(time.time() - head["built_at"]))}


FINDING_LABELS = {
    inv.NOT_ON_LIGHTBITS: _("Not on Lightbits"),
    inv.NEVER_FAST_CLONE: _("Never fast-clones"),
    inv.NOT_READ_ONLY: _("Image volume not read-only"),
    inv.USER_PROJECT: _("Image volume in a user project"),
    inv.ORPHAN: _("Orphaned image volume"),
    inv.CACHE_ENTRY: _("Image-volume cache entry"),
    inv.CACHE_ENTRY_STALE: _("Stale image-volume cache entry"),
    inv.LIGHTBITS_MISSING: _("Lightbits volume missing"),
    inv.LIGHTBITS_DEGRADED: _("Lightbits volume Degraded"),
    inv.LIGHTBITS_READ_ONLY: _("Lightbits volume ReadOnly"),
    inv.LIGHTBITS_NOT_AVAILABLE: _("Lightbits volume NotAvailable"),
    inv.NO_CINDER_VOLUME: _("Lightbits volume without Cinder volume"),
    inv.IMAGE_VOLUME_MISSING: _("Image volume missing"),
}

# The findings' short labels: the badges of a table row (the full text is
# their hover and the detail page's Findings tab).
FINDING_BADGES = {
    inv.NOT_ON_LIGHTBITS: pgettext_lazy("Finding badge", "Not on Lightbits"),
    inv.NEVER_FAST_CLONE: pgettext_lazy("Finding badge", "Never clones"),
    inv.NOT_READ_ONLY: pgettext_lazy("Finding badge", "Writable"),
    inv.USER_PROJECT: pgettext_lazy("Finding badge", "User project"),
    inv.ORPHAN: pgettext_lazy("Finding badge", "Orphan"),
    inv.CACHE_ENTRY: pgettext_lazy("Finding badge", "Cache entry"),
    inv.CACHE_ENTRY_STALE: pgettext_lazy("Finding badge", "Stale cache"),
    inv.LIGHTBITS_MISSING: pgettext_lazy("Finding badge", "Lightbits missing"),
    inv.LIGHTBITS_DEGRADED: pgettext_lazy("Finding badge", "Degraded"),
    inv.LIGHTBITS_READ_ONLY: pgettext_lazy("Finding badge", "ReadOnly"),
    inv.LIGHTBITS_NOT_AVAILABLE: pgettext_lazy("Finding badge", "NotAvailable"),
    inv.NO_CINDER_VOLUME: pgettext_lazy("Finding badge", "No Cinder volume"),
    inv.IMAGE_VOLUME_MISSING: pgettext_lazy("Finding badge", "Data missing"),
}

KIND_LABELS = {
    inv.KIND_IMAGE_VOLUME: _("image volume"),
    inv.KIND_UPLOAD_CLONE: _("upload-to-image clone"),
    inv.KIND_CACHE_ENTRY: _("image-volume cache entry"),
    inv.KIND_OTHER: _("other volume"),
}

NOTES = {
    inv.NOTE_TYPE_MISSING: _("the volume type does not exist in Cinder"),
    inv.NOTE_NOT_A_CLUSTER: _("backend is not a configured Lightbits cluster"),
    inv.NOTE_TYPE_UNUSED: _("no Glance store uses this volume type"),
}


def kind_label(kind):
    return KIND_LABELS.get(kind, kind or "")


def _backend(name):
    return gettext("unknown") if name in (None, inv.UNKNOWN) else name


def _not_on_lightbits(p):
    stores = ", ".join(p.get("stores") or ()) or gettext("no store listed")
    text = gettext(
        "The image's data is in no Lightbits-backed store (%(stores)s): "
        "boot volumes on Lightbits are full copies."
    ) % {"stores": stores}
    if p.get("copying"):
        text += " " + gettext("A copy is in progress.")
    return text


def _never_fast_clone(p):
    if p.get("why") == "backend":
        return gettext(
            "The image volume is on backend %(backend)s, which no Lightbits volume "
            "type reaches: Cinder clones only within one backend."
        ) % {"backend": _backend(p.get("backend"))}
    return gettext(
        "The image is %(disk)s/%(container)s, not raw/bare: Cinder clones only "
        "raw/bare images; every boot volume is a full download and copy."
    ) % {"disk": p.get("disk"), "container": p.get("container")}


def _not_read_only(p):
    text = gettext(
        "The image volume is writable: anything attaching it can change the "
        "image's data under Glance's checksum."
    )
    if not p.get("available"):
        text += " " + gettext("(It must be available to change the flag.)")
    return text


def _image_volume_missing(p):
    return gettext(
        "Glance lists the image in store %(stores)s but Cinder has no image volume "
        "for it (no image-%(image)s volume, no location pointing at one): the "
        "image's data may be gone."
    ) % {"stores": ", ".join(p.get("stores") or ()), "image": p.get("image_id")}


_TEXTS = {
    inv.NOT_ON_LIGHTBITS: _not_on_lightbits,
    inv.NEVER_FAST_CLONE: _never_fast_clone,
    inv.NOT_READ_ONLY: _not_read_only,
    inv.IMAGE_VOLUME_MISSING: _image_volume_missing,
}

_PROTECTION = _(
    "The Lightbits volume's protection state is %(state)s: replicas are missing or unreachable."
)

# The texts whose placeholders are the finding's parameters (kind: its label).
_PLAIN_TEXTS = {
    inv.USER_PROJECT: _(
        "The image volume lives in project %(project)s, not in the service project: "
        "it counts against that project's quota and its users can see and delete it "
        "(glance_store cinder_store_* credentials unset?)."
    ),
    inv.ORPHAN: _(
        "This %(kind)s belongs to image %(image_id)s, which no longer exists, and no "
        "image location points at it."
    ),
    inv.CACHE_ENTRY: _(
        "Cinder's image-volume cache keeps this copy of image %(image_id)s to speed up "
        "volume creation; it is not the image's data in Glance. Cinder evicts it; "
        "do not delete it by hand."
    ),
    inv.CACHE_ENTRY_STALE: _(
        "Image %(image_id)s was updated (%(updated_at)s) after this cache entry was made: "
        "Cinder drops the entry on the next volume from the image, which is then "
        "a full download and copy (and becomes the new entry)."
    ),
    inv.LIGHTBITS_MISSING: _(
        "Cinder has this volume on backend %(backend)s, but the Lightbits cluster "
        "has no volume for it."
    ),
    inv.LIGHTBITS_DEGRADED: _PROTECTION,
    inv.LIGHTBITS_READ_ONLY: _PROTECTION,
    inv.LIGHTBITS_NOT_AVAILABLE: _PROTECTION,
    inv.NO_CINDER_VOLUME: _(
        "Lightbits volume %(name)s has no Cinder volume: left behind by a failed "
        "create or delete, or created outside Cinder."
    ),
}


CACHE_BADGES = {
    cache_view.FRESH: pgettext_lazy("Image-volume cache", "Fresh"),
    cache_view.STALE: pgettext_lazy("Image-volume cache", "Stale"),
}

CACHE_STATES = {
    cache_view.FRESH: pgettext_lazy("Clone path", "Fast clone (from cache)"),
    cache_view.STALE: _("Copy: the cache entry is stale"),
}


def cache_state(row):
    """The images-table row's image-volume cache verdict, or ''."""
    return CACHE_STATES.get(row.cache, "")


def cache_badge(row):
    """The images-table row's image-volume cache state in a word, or ''."""
    return CACHE_BADGES.get(row.cache, "")


def finding_badge(finding):
    return FINDING_BADGES.get(finding.code, finding.code)


def finding_label(finding):
    return FINDING_LABELS.get(finding.code, finding.code)


def finding_text(finding):
    """The finding's sentence in the user's language (its code if unknown)."""
    params = defaultdict(str, finding.params or {})
    build = _TEXTS.get(finding.code)
    if build:
        return build(params)
    if finding.code not in _PLAIN_TEXTS:
        return finding.code
    params["kind"] = kind_label(params.get("kind"))
    return str(_PLAIN_TEXTS[finding.code]) % params


def copy_status(row):
    """'copying to X; copy failed for Y' of an images-table row, or ''."""
    parts = []
    if row.copying:
        parts.append(format_lazy(_("copying to {}"), ", ".join(row.copying)))
    if row.copy_failed:
        parts.append(format_lazy(_("copy failed for {}"), ", ".join(row.copy_failed)))
    return "; ".join(str(p) for p in parts)


def boot_counts(row):
    """'2 / 1': the boot volumes cloned / copied from the image ('' if none known)."""
    boot = row.boot
    if not boot:
        return ""
    return f"{boot.get('cloned', 0)} / {boot.get('copied', 0)}"


def boot_volumes(row):
    """'2 cloned, 1 copied' (and how many could not be told), or ''."""
    boot = row.boot
    if not boot:
        return ""
    text = gettext("%(cloned)d cloned, %(copied)d copied") % boot
    if boot.get("unknown"):
        text += " " + gettext("(%(unknown)d unknown)") % boot
    return text


def read_only(volume):
    return gettext("read-only") if inv.is_read_only(volume) else gettext("writable")


def lightbits_state(side, brief=False):
    """'Available · FullyProtected' of a row's Lightbits side (``brief``:
    'FullyProtected' while Available), 'unknown' (the cluster did not
    answer), 'missing', or '' (not on a configured cluster)."""
    if side is None:
        return ""
    if side.status == inv.UNKNOWN:
        return gettext("unknown")
    if side.status == "missing":
        return gettext("missing")
    lvol = side.volume or {}
    state, protection = lvol.get("state"), lvol.get("protectionState")
    if brief and state == "Available" and protection:
        return str(protection)
    return " · ".join(str(v) for v in (state, protection) if v)


def cluster_health(cluster):
    """A cluster's health in a few words: 'Healthy', 'unknown' or what is wrong."""
    if cluster is None:
        return ""
    if not cluster.ok:
        return gettext("unknown")
    said = []
    if cluster.nodes_inactive:
        said.append(
            ngettext(
                "%(count)s node not active", "%(count)s nodes not active", cluster.nodes_inactive
            )
            % {"count": cluster.nodes_inactive}
        )
    problems = [
        (cluster.degraded, _DEGRADED),
        (cluster.read_only, _READ_ONLY),
        (cluster.not_available, _NOT_AVAILABLE),
    ]
    said += [str(text) % {"count": count} for count, text in problems if count]
    return ", ".join(said) if said else gettext("Healthy")


def cluster_state(cluster):
    """A cluster's health in a word: its volumes' worst protection state,
    'Healthy', or 'unknown' (cluster_health says what is wrong)."""
    if cluster is None:
        return ""
    if not cluster.ok:
        return gettext("unknown")
    for count, state in (
        (cluster.not_available, "NotAvailable"),
        (cluster.read_only, "ReadOnly"),
        (cluster.degraded + cluster.nodes_inactive, "Degraded"),
    ):
        if count:
            return state  # the cluster's own word
    return gettext("Healthy")


_DEGRADED = _("%(count)s Degraded")
_READ_ONLY = _("%(count)s ReadOnly")
_NOT_AVAILABLE = _("%(count)s NotAvailable")
