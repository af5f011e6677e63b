"""Driving the signature admin as a person does: actions on the list and on a signature's
own page, intermediate forms included."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

from django.test import Client

from letters.signatures.models import Signature

CHANGELIST = "/admin/signatures/signature/"


def act(
    client: Client,
    action: str,
    signatures: Iterable[Signature],
    *,
    query: str = "",
    follow: bool = True,
    **fields: Any,
) -> Any:
    """Run a list action on the signatures (an intermediate form is answered with
    `fields` and `apply`)."""
    data: dict[str, Any] = {
        "action": action,
        "_selected_action": [s.pk for s in signatures],
        "index": 0,
        **fields,
    }
    return client.post(f"{CHANGELIST}{query}", data, follow=follow)


def act_on_page(client: Client, action: str, signature: Signature, **fields: Any) -> Any:
    """Run an action from the signature's own page (Django's change-form actions)."""
    data = {"CHANGE_FORM-action": action, "_selected_action": [signature.pk], **fields}
    url = f"{CHANGELIST}{signature.pk}/change/"
    return client.post(url, data, follow=True)


def public_names(client: Client, slug: str) -> list[str]:
    html = client.get(f"/letters/{slug}/signatories/").content.decode()
    return re.findall(r'class="signatory__name">([^<]+)<', html)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


class _FormReader(HTMLParser):
    """The values a browser would submit from the page's main form."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            checkable = a.get("type") in ("checkbox", "radio")
            if checkable and "checked" not in a:
                return
            self.values.setdefault(name, []).append(a.get("value", "on" if checkable else ""))
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values[self._textarea] = [self._text.lstrip("\n")]
            self._textarea = None


def change_form_data(client: Client, url: str, form_id: str = "signature_form") -> dict[str, Any]:
    """The change form as a browser submits it when Save is pressed."""
    reader = _FormReader(form_id)
    reader.feed(client.get(url).content.decode())
    data = {k: v if len(v) != 1 else v[0] for k, v in reader.values.items()}
    return {**data, "_save": "Save"}
