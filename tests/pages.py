"""Filling in the portal's forms as a browser would, with the Django test client.

`forms(html)` reads every <form> of a page: its action, method, and the values a browser would send
untouched (hidden inputs such as the edit version and the one-time form key, checked boxes and
radios, selected options, textareas, submit buttons by their label). `submit(...)` opens a page,
picks one of its forms by a submit button's label or by its action, sends what the page holds with
the given values changed, and follows the redirect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    # (label, name, value) of each submit button.
    buttons: list[tuple[str, str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    def data(self, **changes: object) -> dict[str, list[str]]:
        data = {name: list(values) for name, values in self.fields.items()}
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)
            elif isinstance(value, list | tuple):
                data[name] = [str(v) for v in value]
            else:
                data[name] = [str(value)]
        return data


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict[str, str] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._textarea_text = ""
        self._button: dict[str, str] | None = None
        self._button_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            form.names.add(name)
            if kind == "submit":
                form.buttons.append((a.get("value", ""), name, a.get("value", "")))
            elif kind in {"checkbox", "radio"}:
                if "checked" in a:
                    form.fields.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in {"file", "button", "reset", "image"}:
                form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            form.names.add(name)
            self._select, self._select_first, self._select_chosen = name, None, False
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            self._option, self._option_text = a, ""
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea, self._textarea_text = name, ""
        elif tag == "button":
            self._button, self._button_text = a, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea_text += data
        if self._button is not None:
            self._button_text += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if tag == "form":
            self._form = None
        elif form is None:
            return
        elif tag == "option" and self._option is not None and self._select:
            value = self._option.get("value", self._option_text.strip())
            if self._select_first is None:
                self._select_first = value
            if "selected" in self._option:
                form.fields.setdefault(self._select, []).append(value)
                self._select_chosen = True
            self._option = None
        elif tag == "select" and self._select:
            if not self._select_chosen and not self._multiple and self._select_first is not None:
                form.fields[self._select] = [self._select_first]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            form.fields.setdefault(self._textarea, []).append(self._textarea_text.removeprefix("\n"))
            self._textarea = None
        elif tag == "button" and self._button is not None:
            if self._button.get("type", "submit").lower() == "submit":
                form.buttons.append(
                    (
                        " ".join(self._button_text.split()),
                        self._button.get("name", ""),
                        self._button.get("value", ""),
                    )
                )
            self._button = None


def forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def pick(html: str, *, button: str | None = None, action: str | None = None) -> tuple[Form, dict[str, str]]:
    """The form with a submit button labelled `button` (or whose label starts with it and a space,
    for labels with words for screen readers) or posting to `action`, and that button's own name
    and value (sent as a browser sends the clicked button)."""
    found = forms(html)
    for form in found:
        if form.method != "post" or form.action.endswith("/accounts/logout/"):
            continue
        if action is not None and not form.action.endswith(action):
            continue
        if button is None:
            return form, {}
        for label, name, value in form.buttons:
            if label == button or label.startswith(f"{button} "):
                return form, ({name: value} if name else {})
    described = [(f.action, [b[0] for b in f.buttons]) for f in found if f.method == "post"]
    raise AssertionError(f"No form with button {button!r} / action {action!r}; the page has {described}")
