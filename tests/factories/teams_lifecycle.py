"""Factories for a HIT's life after accreditation (teams.models: HITLink, Document, Meeting,
SponsorInteraction, ClosureRecord), and small real PDF / DOCX / XLSX files built in memory.

DocumentFactory writes its file through the document storage, so tests that use it set
`settings.MEDIA_ROOT = tmp_path` (the `media_root` fixture of the lifecycle tests does).
"""

from __future__ import annotations

import datetime
import io
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from teams.domain.uploads import DOCX, PDF, XLSX
from teams.enums import HITLinkKind, SponsorInteractionKind
from teams.models import ClosureRecord, Document, HITLink, Meeting, SponsorInteraction
from tests.factories.teams import (
    DocumentTypeFactory,
    HITFactory,
    PersonFactory,
    UserFactory,
    WorkingGroupFactory,
)


def pdf_bytes(text: str = "Terms of reference") -> bytes:
    """A tiny but well-formed one-page PDF."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


class _Package:
    """Writes parts with a fixed timestamp, so the same package always has the same bytes."""

    def __init__(self, package: zipfile.ZipFile) -> None:
        self.package = package

    def writestr(self, name: str, data: str) -> None:
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        self.package.writestr(info, data)


def _office_package(main_part: str, content_type: str, body: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        package = _Package(archive)
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main_part}" ContentType="{content_type}"/>'
            "</Types>",
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/officeDocument" Target="{main_part}"/></Relationships>',
        )
        package.writestr(main_part, body)
    return out.getvalue()


def docx_bytes() -> bytes:
    """A minimal Word package: [Content_Types].xml, _rels/.rels and word/document.xml."""
    return _office_package(
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Minutes</w:t></w:r></w:p></w:body></w:document>",
    )


def xlsx_bytes() -> bytes:
    """A minimal Excel package: [Content_Types].xml, _rels/.rels and xl/workbook.xml."""
    return _office_package(
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>',
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """An uploaded file as a view or service receives it (the declared type is ignored by the checks)."""
    return SimpleUploadedFile(name, content, content_type=content_type)


class HITLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HITLink

    from_hit = factory.SubFactory(HITFactory)
    to_hit = factory.SubFactory(HITFactory)
    kind = HITLinkKind.COORDINATION


class DocumentFactory(factory.django.DjangoModelFactory):
    """Version 1 of a PDF document; `docx=True` / `xlsx=True` for the other kinds."""

    class Meta:
        model = Document

    hit = factory.SubFactory(HITFactory)
    document_type = factory.SubFactory(DocumentTypeFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    version = 1
    file = factory.django.FileField(filename="document.pdf", data=pdf_bytes())
    original_name = "document.pdf"
    content_type = PDF
    size = factory.LazyAttribute(lambda o: o.file.size)
    uploaded_by = factory.SubFactory(UserFactory)

    class Params:
        docx = factory.Trait(
            file=factory.django.FileField(filename="minutes.docx", data=docx_bytes()),
            original_name="minutes.docx",
            content_type=DOCX,
        )
        xlsx = factory.Trait(
            file=factory.django.FileField(filename="budget.xlsx", data=xlsx_bytes()),
            original_name="budget.xlsx",
            content_type=XLSX,
        )


class MeetingFactory(factory.django.DjangoModelFactory):
    """A management group meeting a week ago; `of_working_group=True` for a working group's."""

    class Meta:
        model = Meeting

    hit = factory.SubFactory(HITFactory)
    group_name = "Management group"
    held_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    notes = "Agreed the plan for the year."
    recorded_by = factory.SubFactory(UserFactory)

    class Params:
        of_working_group = factory.Trait(
            group_name="",
            working_group=factory.SubFactory(WorkingGroupFactory, hit=factory.SelfAttribute("..hit")),
        )


class SponsorInteractionFactory(factory.django.DjangoModelFactory):
    """A meeting with the sponsor ten days ago (the sponsor should be the HIT's executive sponsor)."""

    class Meta:
        model = SponsorInteraction

    hit = factory.SubFactory(HITFactory)
    sponsor = factory.SubFactory(PersonFactory)
    happened_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    kind = SponsorInteractionKind.MEETING
    note = "Quarterly catch-up."
    recorded_by = factory.SubFactory(UserFactory)


class ClosureRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClosureRecord

    hit = factory.SubFactory(HITFactory, closing=True)
    what_continues = "The memory clinic pathway carries on within the trust."
    partners_leaving = ""
    recorded_by = factory.SubFactory(UserFactory)
