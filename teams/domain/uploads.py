"""Checking an uploaded document by its content, before anything is stored.

A document is accepted when it is a PDF, a Word document (.docx) or an Excel workbook (.xlsx), is
at most 10 MB, and its content is what its extension says:

- PDF: the file starts with ``%PDF-``;
- DOCX / XLSX: a ZIP archive (an Office Open XML package) holding ``[Content_Types].xml`` and
  ``word/`` (Word) or ``xl/`` (Excel) parts.

The browser's declared content type is ignored: the stored and served type is the one detected
here. Only the ZIP's central directory is read (the names of its parts), never its compressed
content, so a "ZIP bomb" costs nothing to check.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# extension -> (content type, what to call it in a message)
ACCEPTED: dict[str, tuple[str, str]] = {
    ".pdf": (PDF, "a PDF"),
    ".docx": (DOCX, "a Word document"),
    ".xlsx": (XLSX, "an Excel workbook"),
}
ACCEPTED_EXTENSIONS = tuple(ACCEPTED)
EXTENSION_FOR_TYPE = {content_type: extension for extension, (content_type, _) in ACCEPTED.items()}
ACCEPT_ATTRIBUTE = ",".join(ACCEPTED_EXTENSIONS)  # for <input type="file" accept="...">
HELP_TEXT = "A PDF, Word (.docx) or Excel (.xlsx) file of at most 10 MB."


@dataclass(frozen=True)
class CheckedUpload:
    """What the check found: the detected content type, the extension and the size in bytes, and
    the file it checked."""

    content_type: str
    extension: str
    size: int
    original_name: str
    file: UploadedFile


def detect_content_type(stream: IO[bytes]) -> str | None:
    """The content type the bytes show (PDF, DOCX or XLSX), or None. Leaves the stream at its start."""
    stream.seek(0)
    head = stream.read(5)
    stream.seek(0)
    if head == b"%PDF-":
        return PDF
    if head[:2] != b"PK":
        return None
    try:
        with zipfile.ZipFile(stream) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        stream.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(name.startswith("word/") for name in names):
        return DOCX
    if any(name.startswith("xl/") for name in names):
        return XLSX
    return None


def check_upload(upload: UploadedFile | None) -> CheckedUpload:
    """Accept `upload` (a Django UploadedFile) or raise ValidationError with a message for the user.

    Checks, in order: a file was given and has a name; the extension is one we accept; the file is
    not empty and not over 10 MB; the content is what the extension says.
    """
    if upload is None:
        raise ValidationError("Choose a file to upload.", code="required")
    name = str(getattr(upload, "name", "") or "")
    extension = PurePath(name).suffix.lower()
    if extension not in ACCEPTED:
        shown = f"{extension} files" if extension else "Files without an extension"
        raise ValidationError(
            f"{shown} are not accepted. Upload a PDF (.pdf), Word (.docx) or Excel (.xlsx) file.",
            code="extension",
        )
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"The file is {size / (1024 * 1024):.1f} MB ({size:,} bytes); files can be at most 10 MB "
            f"({MAX_UPLOAD_BYTES:,} bytes).",
            code="too_large",
        )
    expected_type, called = ACCEPTED[extension]
    detected = detect_content_type(upload)  # type: ignore[arg-type]
    if detected != expected_type:
        raise ValidationError(
            f"The file's name ends in {extension} but its content is not {called}. "
            "Save it again from the program that made it, then upload it.",
            code="content",
        )
    return CheckedUpload(
        content_type=detected,
        extension=extension,
        size=size,
        original_name=PurePath(name).name[-255:],
        file=upload,
    )
