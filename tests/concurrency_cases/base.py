"""The two kinds of case: an edit page (a stale save is refused) and a create page (it creates once)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

TYPED = "Typed by the second editor"
THEIRS = "Saved by the first editor"
CREATED = "Typed once, sent twice"


@dataclass(frozen=True)
class EditCase:
    """One edit page.

    build(ctx) -> (url kwargs, row): the row the page edits, made for the persona.
    post(row) -> the form data the user sends, holding `typed`.
    elsewhere(row, ctx): a colleague's save through the portal's own service, writing `theirs`.
    read(row) -> the value of that field as stored now.
    `shown` is (typed, theirs) as the conflict panel shows them, when not the values themselves;
    `kept` is what proves the user's value is still in the form (by default the typed text).
    `peer` is the fixture of the colleague (ctx["peer"]); ctx also holds "hit" and "user".
    `query` is appended to the URL (a section of a multi-section page); `variant` tells apart two
    cases of one page. `page` is the URL name of the page that shows the form when the form is
    posted elsewhere (same URL kwargs); on a refused save that URL answers with the page itself.
    """

    url_name: str
    persona: str
    build: Callable[[dict], tuple[dict, Any]]
    post: Callable[[Any], dict]
    elsewhere: Callable[[Any, dict], None]
    read: Callable[[Any], object]
    typed: object = TYPED
    theirs: object = THEIRS
    shown: tuple[str, str] | None = None
    kept: str | None = None
    peer: str = "colleague"
    query: str = ""
    variant: str = ""
    page: str = ""

    @property
    def id(self) -> str:
        return f"{self.url_name}{self.query}{self.variant}"


@dataclass(frozen=True)
class CreateCase:
    """One create page.

    kwargs(ctx) -> the URL's kwargs; post(ctx) -> the form data a user sends (CREATED in a text
    field where there is one); count(ctx) -> how many of the rows it creates exist now.
    `setup(ctx)` makes what the page needs first (ctx holds "hit", "user" and "fixture").
    `form_page(ctx)` is the URL of the page carrying the form when it is not the create URL itself
    (export buttons sit on the list pages). `files(ctx)` gives fresh uploads sent with each post. `repeatable=False` when the same content
    cannot be created twice by design (a unique name, one current holder of a role): two opened
    forms then make one row, the second refused with a message next to the field.
    """

    url_name: str
    persona: str
    kwargs: Callable[[dict], dict]
    post: Callable[[dict], dict]
    count: Callable[[dict], int]
    setup: Callable[[dict], None] | None = None
    files: Callable[[dict], dict] | None = None
    repeatable: bool = True
    form_page: Callable[[dict], str] | None = None
    id_suffix: str = ""

    @property
    def id(self) -> str:
        return f"{self.url_name}{self.id_suffix}"
