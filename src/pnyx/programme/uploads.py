"""Video uploads: bounded in size, typed from their content, stored under a random name."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


class UploadRejected(Exception):
    """The message is shown to the member as is."""


@dataclass
class StoredVideo:
    name: str
    sha256: str
    content_type: str
    size: int


def allowed_types_label() -> str:
    return ", ".join(sorted(ext.upper() for ext in settings.PNYX_VIDEO_TYPES.values()))


def inspect_video(upload) -> tuple[str, str, int]:
    """Return (content type, SHA-256, size) or raise UploadRejected. Reads the file once."""
    size = upload.size
    if size is None or size == 0:
        raise UploadRejected(_("The video file is empty."))
    if size > settings.PNYX_VIDEO_MAX_BYTES:
        raise UploadRejected(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.PNYX_VIDEO_MAX_BYTES)}
        )
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in settings.PNYX_VIDEO_TYPES:
        raise UploadRejected(
            _("This file is not a video in an accepted format (%(types)s).")
            % {"types": allowed_types_label()}
        )
    digest = hashlib.sha256(head)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return mime, digest.hexdigest(), size


def store_video(upload) -> StoredVideo:
    mime, sha, size = inspect_video(upload)
    ext = settings.PNYX_VIDEO_TYPES[mime]
    name = default_storage.save(f"videos/{uuid.uuid4().hex}.{ext}", File(upload))
    return StoredVideo(name=name, sha256=sha, content_type=mime, size=size)


def delete_stored(name: str) -> None:
    if name:
        default_storage.delete(name)
