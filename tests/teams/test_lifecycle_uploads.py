"""Uploads are checked by content (teams/domain/uploads.py) and a refused upload stores nothing, on disk
or in the database (teams.services.lifecycle.document_upload)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from teams.domain import uploads
from teams.models import Document
from teams.services import lifecycle as services_lifecycle
from tests import factories as f
from tests.factories.teams_lifecycle import DocumentFactory, docx_bytes, pdf_bytes, upload, xlsx_bytes

MZ_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return out.getvalue()


# --- The content check ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", pdf_bytes(), uploads.PDF),
        ("minutes.docx", docx_bytes(), uploads.DOCX),
        ("budget.xlsx", xlsx_bytes(), uploads.XLSX),
        ("REPORT.PDF", pdf_bytes(), uploads.PDF),
    ],
)
def test_check_upload_accepts_real_files(name, content, content_type):
    checked = uploads.check_upload(upload(name, content, "text/plain"))

    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.original_name == name


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "report.pdf",
            b"This is only text pretending to be a PDF.\n",
            "The file's name ends in .pdf but its content is not a PDF. "
            "Save it again from the program that made it, then upload it.",
        ),
        (
            "minutes.docx",
            MZ_EXECUTABLE,
            "The file's name ends in .docx but its content is not a Word document. "
            "Save it again from the program that made it, then upload it.",
        ),
        (
            "minutes.docx",
            bytes(range(256)) * 4,
            "The file's name ends in .docx but its content is not a Word document. "
            "Save it again from the program that made it, then upload it.",
        ),
        (
            "budget.xlsx",
            docx_bytes(),
            "The file's name ends in .xlsx but its content is not an Excel workbook. "
            "Save it again from the program that made it, then upload it.",
        ),
        (
            "minutes.docx",
            pdf_bytes(),
            "The file's name ends in .docx but its content is not a Word document. "
            "Save it again from the program that made it, then upload it.",
        ),
        (
            "minutes.docx",
            _zip({"word/document.xml": b"<w/>"}),
            "The file's name ends in .docx but its content is not a Word document. "
            "Save it again from the program that made it, then upload it.",
        ),
        (
            "archive.docx",
            b"PK\x03\x04 broken zip",
            "The file's name ends in .docx but its content is not a Word document. "
            "Save it again from the program that made it, then upload it.",
        ),
        (
            "setup.exe",
            MZ_EXECUTABLE,
            ".exe files are not accepted. Upload a PDF (.pdf), Word (.docx) or Excel (.xlsx) file.",
        ),
        (
            "notes.txt",
            b"Some notes",
            ".txt files are not accepted. Upload a PDF (.pdf), Word (.docx) or Excel (.xlsx) file.",
        ),
        (
            "README",
            pdf_bytes(),
            "Files without an extension are not accepted. Upload a PDF (.pdf), Word (.docx) or Excel (.xlsx) file.",
        ),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_check_upload_refuses_with_a_clear_message(name, content, message):
    with pytest.raises(ValidationError) as caught:
        uploads.check_upload(upload(name, content))

    assert caught.value.messages == [message]


def test_check_upload_accepts_exactly_10_mb():
    content = pdf_bytes() + b"\0" * (uploads.MAX_UPLOAD_BYTES - len(pdf_bytes()))

    checked = uploads.check_upload(upload("big.pdf", content))

    assert checked.size == 10 * 1024 * 1024


def test_check_upload_refuses_10_mb_and_one_byte():
    content = pdf_bytes() + b"\0" * (uploads.MAX_UPLOAD_BYTES + 1 - len(pdf_bytes()))

    with pytest.raises(ValidationError) as caught:
        uploads.check_upload(upload("big.pdf", content))

    assert caught.value.messages == [
        "The file is 10.0 MB (10,485,761 bytes); files can be at most 10 MB (10,485,760 bytes)."
    ]


# --- Nothing stored when refused -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"plain text, not a PDF"),
        ("minutes.docx", MZ_EXECUTABLE),
        ("minutes.docx", bytes(range(256))),
        ("tool.exe", MZ_EXECUTABLE),
        ("big.pdf", pdf_bytes() + b"\0" * uploads.MAX_UPLOAD_BYTES),
    ],
)
def test_document_upload_refused_stores_nothing(media_root, hit, director, name, content):
    with pytest.raises(ValidationError) as caught:
        services_lifecycle.document_upload(
            actor=director,
            hit_id=hit.pk,
            document_type=f.DocumentTypeFactory(),
            title="Terms of reference",
            upload=upload(name, content),
        )

    assert list(caught.value.message_dict) == ["file"]
    assert Document.objects.count() == 0
    assert _files_under(media_root) == []


def test_document_upload_failing_after_the_file_is_written_removes_it(media_root, hit, director, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Document, "save", broken_save)

    with pytest.raises(RuntimeError):
        services_lifecycle.document_upload(
            actor=director,
            hit_id=hit.pk,
            document_type=f.DocumentTypeFactory(),
            title="Terms of reference",
            upload=upload("tor.pdf", pdf_bytes()),
        )

    assert _files_under(media_root) == []


def test_document_upload_by_an_outsider_is_refused_and_stores_nothing(media_root, hit, outsider):
    with pytest.raises(PermissionDenied):
        services_lifecycle.document_upload(
            actor=outsider,
            hit_id=hit.pk,
            document_type=f.DocumentTypeFactory(),
            title="Terms of reference",
            upload=upload("tor.pdf", pdf_bytes()),
        )

    assert Document.objects.count() == 0
    assert _files_under(media_root) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "report.pdf",
            b"hello, I am text",
            "The file&#x27;s name ends in .pdf but its content is not a PDF.",
        ),
        (
            "payload.docx",
            MZ_EXECUTABLE,
            "The file&#x27;s name ends in .docx but its content is not a Word document.",
        ),
        ("tool.exe", MZ_EXECUTABLE, ".exe files are not accepted."),
        ("big.pdf", pdf_bytes() + b"\0" * uploads.MAX_UPLOAD_BYTES, "files can be at most 10 MB"),
    ],
)
def test_upload_page_shows_the_problem_next_to_the_field_and_stores_nothing(
    client, media_root, hit, teammate, name, content, message
):
    client.force_login(teammate)

    response = client.post(
        reverse("teams:document-upload", args=[hit.pk]),
        {
            "document_type": f.DocumentTypeFactory().pk,
            "title": "Terms of reference",
            "file": upload(name, content),
        },
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(response.context["form"].errors) == ["file"]
    assert Document.objects.count() == 0
    assert _files_under(media_root) == []


def test_stored_file_lives_under_media_root_documents_hit_with_a_random_name(media_root, hit, director):
    document = services_lifecycle.document_upload(
        actor=director,
        hit_id=hit.pk,
        document_type=f.DocumentTypeFactory(),
        title="Budget",
        upload=upload("../../etc/budget.xlsx", xlsx_bytes()),
    )

    stored = _files_under(media_root)
    assert [p.parent for p in stored] == [media_root / "documents" / str(hit.pk)]
    assert stored[0].suffix == ".xlsx"
    assert "budget" not in stored[0].name
    assert stored[0].read_bytes() == xlsx_bytes()
    assert document.original_name == "budget.xlsx"


def test_documents_have_no_public_url(db, media_root):
    document = DocumentFactory()

    with pytest.raises(NotImplementedError):
        document.file.url  # noqa: B018


def test_media_root_default_is_outside_every_static_directory():
    from django.conf import settings as django_settings

    media = django_settings.MEDIA_ROOT.resolve()
    static_dirs = [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]

    assert all(not media.is_relative_to(static.resolve()) for static in static_dirs)
