"""Blob bytes on disk, addressed by digest, and the upload sessions that write them.

Layers are large (a Python base image is hundreds of MB), so they go to a temporary folder rather
than memory. The folder is shared by every repository, as ECR shares layers within a registry;
which repository holds which blob is recorded in moto's own `Repository.layers` (see `store.py`),
so a reset of moto forgets the membership and `BatchCheckLayerAvailability` sees pushed layers.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DIGEST = re.compile(r"sha256:[a-f0-9]{64}")


class BlobError(Exception):
    """An upload the registry refuses; `code` is the distribution API's error code."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class Upload:
    """A blob upload in progress: its bytes so far, hashed as they arrive."""

    upload_id: str
    repository: str  # uploads belong to the repository they were started in
    path: Path
    size: int = 0
    hasher: hashlib._Hash = field(default_factory=hashlib.sha256)


class BlobStore:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="fgc-emulator-blobs-"))
        (self.root / "uploads").mkdir()
        self._lock = threading.Lock()
        self._uploads: dict[str, Upload] = {}

    def close(self) -> None:
        """Remove every blob from disk (the emulator is stopping)."""
        shutil.rmtree(self.root, ignore_errors=True)

    def reset(self) -> None:
        with self._lock:
            uploads, self._uploads = list(self._uploads.values()), {}
        for upload in uploads:
            upload.path.unlink(missing_ok=True)

    # -- stored blobs ------------------------------------------------------------------------
    def path(self, digest: str) -> Path:
        return self.root / digest.replace(":", "-")

    def has(self, digest: str) -> bool:
        return bool(DIGEST.fullmatch(digest)) and self.path(digest).is_file()

    def size(self, digest: str) -> int:
        return self.path(digest).stat().st_size

    def read(self, digest: str, chunk: int = 1 << 20) -> Iterable[bytes]:
        with self.path(digest).open("rb") as handle:
            while data := handle.read(chunk):
                yield data

    # -- uploads -----------------------------------------------------------------------------
    def start(self, repository: str) -> Upload:
        upload_id = str(uuid.uuid4())
        upload = Upload(upload_id, repository, self.root / "uploads" / upload_id)
        upload.path.touch()
        with self._lock:
            self._uploads[upload_id] = upload
        return upload

    def upload(self, upload_id: str, repository: str) -> Upload:
        with self._lock:
            upload = self._uploads.get(upload_id)
        if upload is None or upload.repository != repository:
            raise BlobError("BLOB_UPLOAD_UNKNOWN", f"Upload {upload_id} does not exist", 404)
        return upload

    def append(self, upload: Upload, chunks: Iterable[bytes], start: int | None = None) -> None:
        """Add bytes at the end; a chunk claiming another offset is refused (416), as chunks must be
        sent in order."""
        if start is not None and start != upload.size:
            raise BlobError(
                "BLOB_UPLOAD_INVALID",
                f"Chunk starts at {start} but {upload.size} bytes were received",
                416,
            )
        with upload.path.open("ab") as handle:
            for data in chunks:
                handle.write(data)
                upload.hasher.update(data)
                upload.size += len(data)

    def finish(self, upload: Upload, digest: str) -> int:
        """Verify the digest and store the blob under it; returns its size."""
        if not DIGEST.fullmatch(digest):
            raise BlobError("DIGEST_INVALID", f"Unsupported or malformed digest '{digest}' (sha256 only)")
        actual = "sha256:" + upload.hasher.hexdigest()
        if actual != digest:
            self.cancel(upload)
            raise BlobError("DIGEST_INVALID", f"Provided digest {digest} does not match content {actual}")
        with self._lock:
            self._uploads.pop(upload.upload_id, None)
        os.replace(upload.path, self.path(digest))
        return upload.size

    def cancel(self, upload: Upload) -> None:
        with self._lock:
            self._uploads.pop(upload.upload_id, None)
        upload.path.unlink(missing_ok=True)
