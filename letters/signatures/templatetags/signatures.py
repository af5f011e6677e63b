from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from letters.signatures.models import Signature

register = template.Library()

EXPLANATIONS = {
    Signature.Level.NONE: _("Not confirmed."),
    Signature.Level.IMPORTED: _("Collected offline or by a partner and entered by an organiser."),
    Signature.Level.EMAIL: _("The signer confirmed their email address."),
    Signature.Level.AFFILIATION: _(
        "The signer confirmed an email address at the institution they name."
    ),
    Signature.Level.ORCID: _("The signer connected their ORCID iD, a researcher's identifier."),
    Signature.Level.ORGANISATION: _(
        "Signed on behalf of the organisation by a representative with an address at its "
        "domain, and approved by an organiser."
    ),
}


@register.simple_tag
def badge(level: str) -> SafeString:
    label = Signature.Level(level).label if level in Signature.Level.values else level
    return format_html(
        '<span class="badge badge--{}" title="{}">{}</span>',
        level,
        EXPLANATIONS.get(level, ""),  # type: ignore[call-overload]
        label,
    )


@register.simple_tag
def badge_explanations() -> list[tuple[str, str, str]]:
    return [
        (level.value, str(level.label), str(EXPLANATIONS[level]))
        for level in Signature.Level
        if level not in (Signature.Level.NONE,)
    ]
