"""The upload handler every request's files go through: the size limit is enforced while
reading, so an oversized upload is refused before it is read, not after it sits on disk.

Django streams files to a temporary file and leaves their size to the view: a 50 MB upload
to a form that takes 2 MB was read in full before being refused. This handler refuses a
request whose declared length is over `UPLOAD_MAX_BYTES` before reading a byte, and one sent
without a length (chunked) as soon as what it has read passes the limit. The refusal is a
`RequestDataTooBig`, answered 400 (the web app's error page, the API's problem details).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


def _refusal() -> RequestDataTooBig:
    limit = settings.UPLOAD_MAX_BYTES
    return RequestDataTooBig(f"file: the upload is larger than {limit:,} bytes (UPLOAD_MAX_BYTES)")


class SizeLimit(FileUploadHandler):
    """Refuses an upload over `UPLOAD_MAX_BYTES`; listed first, it sees every chunk first."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: Any = None
    ) -> None:
        """Refuse at once a request that says it is too large."""
        if content_length > settings.UPLOAD_MAX_BYTES:
            raise _refusal()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        """Pass the chunk on to the next handler, unless the files read so far are too large."""
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            raise _refusal()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        """The next handler builds the file."""
        return None
