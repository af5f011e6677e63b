"""Interface text is translatable: a pseudo-translation of the extracted catalogue shows up
on the pages, and letters declare their own language."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from tests.factories import ConsentTextFactory, LetterFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def pseudo_translate(po: Path) -> None:
    """Wrap every translation in brackets, so translated text is easy to tell apart."""
    text = po.read_text(encoding="utf-8")

    def wrap(match: re.Match[str]) -> str:
        msgid = match.group(1)
        return f'msgid "{msgid}"\nmsgstr "⟦{msgid}⟧"' if msgid else match.group(0)

    text = re.sub(r'msgid "(.*)"\nmsgstr ""', wrap, text)
    text = text.replace('"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"', "")
    text = re.sub(
        r'msgid_plural "(.*)"\nmsgstr\[0\] ""\nmsgstr\[1\] ""',
        lambda m: f'msgid_plural "{m.group(1)}"\nmsgstr[0] "⟦1⟧"\nmsgstr[1] "⟦n⟧"',
        text,
    )
    po.write_text(text.replace("#, fuzzy\n", ""), encoding="utf-8")


@pytest.fixture
def pseudo_locale() -> Iterator[Path]:
    """A throw-away language in the project's locale folder, where makemessages writes."""
    folder = ROOT / "locale" / "eo"
    shutil.rmtree(folder, ignore_errors=True)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_interface_strings_are_extracted_and_used(
    pseudo_locale: Path,
    settings,
    client: Client,
) -> None:
    settings.LANGUAGES = [("en", "English"), ("eo", "Pseudo")]
    call_command(
        "makemessages", locale=["eo"], ignore_patterns=[".venv/*", "bench/*", "tests/*", "var/*"],
        verbosity=0,
    )  # fmt: skip
    po = pseudo_locale / "LC_MESSAGES" / "django.po"
    catalogue = po.read_text(encoding="utf-8")
    for text in ("Sign this letter", "Check your email", "Confirm my signature",
                 "Affiliation verified", "Addresses from disposable email services"):  # fmt: skip
        assert f'"{text}' in catalogue, text
    pseudo_translate(po)
    subprocess.run(["msgfmt", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
    # Re-assigning the setting makes Django drop the catalogues it has loaded.
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]
    ConsentTextFactory.create()
    letter = LetterFactory.create(language="de", title="Ein offener Brief")
    try:
        html = client.get(f"/letters/{letter.slug}/", HTTP_ACCEPT_LANGUAGE="eo").content.decode()
    finally:
        translation.activate("en")
    assert '<html lang="eo">' in html
    assert "⟦Sign this letter⟧" in html
    assert "⟦Full name⟧" in html
    # the letter keeps its own language, inside a page in the reader's language
    assert '<article class="letter" lang="de"' in html
