from __future__ import annotations

import json
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.utils import perform_login
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_countries import countries

from letters.accounts.models import User
from letters.campaigns.models import Letter
from letters.common.emaildomains import email_normalize
from letters.common.pagecache import public_page
from letters.signatures import selectors, services
from letters.signatures.challenge import challenge_create
from letters.signatures.forms import CHALLENGE_FAILED, DisplayForm, SignForm
from letters.signatures.models import Signature
from letters.signatures.tokens import (
    InvalidToken,
    signature_for_confirm_token,
    signature_for_withdraw_token,
)
from letters.signatures.verification import ip_hash

SESSION_CONFIRMED = "signatures.just_confirmed"
PAGE_SIZE = 50
ORGANISATIONS_PAGE_SIZE = 200


def _render_sign_page(
    request: HttpRequest, letter: Letter, form: SignForm, *, status: int = 200, error: str = ""
) -> HttpResponse:
    return render(
        request,
        "signatures/sign.html",
        {"letter": letter, "form": form, "error": error},
        status=status,
    )


@require_GET
@never_cache
def challenge(request: HttpRequest) -> JsonResponse:
    return JsonResponse(challenge_create())


# The sign form is exempt from CSRF so that letter pages can be served from a cache to
# anonymous readers. What a forged cross-site POST could do is what anyone can do directly:
# submit a pending signature, which counts only once the address's owner confirms it. The
# single-use proof-of-work payload plays the part of the token, and this view never acts on
# the visitor's session.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@public_page
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    letter = selectors.letter_for_signing(slug=slug)
    version = letter.current_version
    assert version is not None  # the selector only returns letters with a text
    consent = selectors.consent_for_form()
    if request.method == "GET":
        return _render_sign_page(
            request, letter, SignForm(consent=consent, initial={"version": version.number})
        )
    form = SignForm(request.POST, consent=consent)
    if not letter.is_open:
        return _render_sign_page(
            request, letter, form, status=409, error=_("This letter is closed for signatures.")
        )
    if consent is None:
        error = _("Signing is not open yet: the organisers have not set the consent text.")
        return _render_sign_page(request, letter, form, status=503, error=error)
    if not ratelimit.consume(request, action="sign_letter"):
        error = _(
            "Too many signatures come from your network right now. "
            "Please try again in a few minutes."
        )
        return _render_sign_page(request, letter, form, status=429, error=error)
    if not form.is_valid():
        return _render_sign_page(request, letter, form, status=400)
    posted_version = form.cleaned_data.get("version")
    if posted_version and posted_version != version.number:
        # They read an earlier text; they sign what they read.
        version = letter.versions.filter(number=posted_version).first() or version
    email_key = email_normalize(form.cleaned_data["email"])
    try:
        # Whether the address gets another email or not, the page says the same.
        services.signature_submit(
            letter=letter,
            version=version,
            data=form.signature_input(),
            consent=consent,
            ip_hash=ip_hash(get_adapter().get_client_ip(request)),
            may_email_again=lambda: ratelimit.consume(request, action="sign_email", key=email_key),
        )
    except services.ChallengeSpent:
        form.add_error("altcha", CHALLENGE_FAILED)
        return _render_sign_page(request, letter, form, status=400)
    except services.SigningError as exc:
        return _render_sign_page(request, letter, form, status=409, error=str(exc))
    return redirect("signatures:check_email", slug=letter.slug)


@require_GET
def check_email(request: HttpRequest, slug: str) -> HttpResponse:
    letter = selectors.letter_for_signing(slug=slug)
    return render(
        request,
        "signatures/check_email.html",
        {"letter": letter, "link_days": settings.CONFIRMATION_LINK_DAYS},
    )


def _token_problem(
    request: HttpRequest, reason: str, *, status: int = 400, message: str = ""
) -> HttpResponse:
    context = {"reason": reason, "message": message}
    return render(request, "signatures/link_problem.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A GET only shows what will be confirmed: mail scanners open every link in a message,
    and must not be able to sign for anyone. The person presses the button (a POST)."""
    try:
        signature = signature_for_confirm_token(token)
    except InvalidToken as exc:
        return _token_problem(request, str(exc))
    if signature.status == Signature.Status.WITHDRAWN:
        return _token_problem(request, "withdrawn", status=410)
    if request.method == "GET" or signature.status != Signature.Status.UNCONFIRMED:
        return render(request, "signatures/confirm.html", {"signature": signature})
    if not ratelimit.consume(request, action="confirm_signature"):
        return _token_problem(request, "rate_limited", status=429)
    try:
        signature = services.signature_confirm(
            signature_id=signature.pk, token_nonce=signature.token_nonce
        )
    except services.SignatureGone:
        return _token_problem(request, "withdrawn", status=410)
    except services.ConfirmationSuperseded:
        return _token_problem(request, "superseded", status=409)
    except services.SigningError as exc:
        return _token_problem(request, "refused", status=409, message=str(exc))
    request.session[SESSION_CONFIRMED] = signature.pk
    done = reverse("signatures:confirmed", kwargs={"slug": signature.letter.slug})
    signer = signature.signer
    # Proving the address signs the signer in, so that they can add their ORCID iD at once;
    # staff accounts sign in the usual way, with their second factor.
    if signer is not None and not signer.is_staff and not request.user.is_authenticated:
        return perform_login(request, signer, redirect_url=done, email=signature.email)
    return redirect(done)


@require_GET
def confirmed(request: HttpRequest, slug: str) -> HttpResponse:
    letter = selectors.letter_for_signing(slug=slug)
    signature_id = request.session.get(SESSION_CONFIRMED)
    signature = (
        Signature.objects.filter(pk=signature_id, letter=letter).first() if signature_id else None
    )
    return render(
        request,
        "signatures/confirmed.html",
        {"letter": letter, "signature": signature, "orcid_enabled": _orcid_enabled()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    try:
        signature = signature_for_withdraw_token(token)
    except InvalidToken as exc:
        return _token_problem(request, str(exc))
    if request.method == "POST" and signature.status != Signature.Status.WITHDRAWN:
        reason = request.POST.get("reason", "")[:2000]
        services.signature_withdraw(
            signature_id=signature.pk, reason=reason or "Withdrawn by the signatory"
        )
        signature.refresh_from_db()
    return render(request, "signatures/withdraw.html", {"signature": signature})


class KnownCountPaginator(Paginator):
    """A paginator that takes its count from the batched counters when it can."""

    def __init__(self, *args: Any, known_count: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_count = known_count

    @cached_property
    def count(self) -> int:
        if self._known_count is not None:
            return self._known_count
        return super().count


SIGNATORY_FILTERS = ("q", "country", "level")


@require_GET
@public_page(params=(*SIGNATORY_FILTERS, "page", "opage"))
def signatories(request: HttpRequest, slug: str) -> HttpResponse:
    letter = selectors.letter_for_signing(slug=slug)
    filters = selectors.SignatoryFilters(
        query=request.GET.get("q", "").strip()[:100],
        country=request.GET.get("country", "")[:2].upper(),
        level=request.GET.get("level", "")[:16],
    )
    if filters.country and filters.country not in countries:
        filters = selectors.SignatoryFilters(query=filters.query, level=filters.level)
    if filters.level and filters.level not in Signature.Level.values:
        filters = selectors.SignatoryFilters(query=filters.query, country=filters.country)
    stats = selectors.letter_stats(letter_id=letter.pk)
    # Organisations apart, in pages of their own (a coalition letter may have thousands);
    # one row more than a page says whether there is a next, so nothing is counted.
    opage = request.GET.get("opage", "")
    number = min(int(opage), 10_000) if opage.isascii() and opage.isdigit() else 1
    number = max(number, 1)
    start = (number - 1) * ORGANISATIONS_PAGE_SIZE
    organisation_ids = list(
        selectors.signatory_ids(
            letter_id=letter.pk, filters=filters, capacity=Signature.Capacity.ORGANISATION
        )[start : start + ORGANISATIONS_PAGE_SIZE + 1]
    )
    organisation_page = {
        "number": number,
        "has_previous": number > 1,
        "has_next": len(organisation_ids) > ORGANISATIONS_PAGE_SIZE,
    }
    organisations = selectors.signatures_public_by_ids(
        ids=organisation_ids[:ORGANISATIONS_PAGE_SIZE]
    )
    paginator = KnownCountPaginator(
        selectors.signatory_ids(
            letter_id=letter.pk, filters=filters, capacity=Signature.Capacity.INDIVIDUAL
        ),
        PAGE_SIZE,
        known_count=selectors.signatories_count(stats=stats, filters=filters),
    )
    page = paginator.get_page(request.GET.get("page"))
    people = selectors.signatures_public_by_ids(ids=list(page.object_list))
    # The filters only: the page is kept for every reader who asks for them.
    query_string = QueryDict(mutable=True)
    for name in SIGNATORY_FILTERS:
        query_string.setlist(name, request.GET.getlist(name))
    return render(
        request,
        "signatures/signatories.html",
        {
            "letter": letter,
            "stats": stats,
            "filters": filters,
            "organisations": organisations,
            "organisation_page": organisation_page,
            "page": page,
            "people": people,
            "query_string": query_string.urlencode(),
            "country_counts": sorted(
                ((countries.name(code), code, n) for code, n in stats.by_country.items()),
                key=lambda item: (-item[2], item[0]),
            ),
            "level_counts": [
                (value, label, stats.by_level.get(value, 0))
                for value, label in Signature.Level.choices
                if stats.by_level.get(value)
            ],
            "levels": Signature.Level,
        },
    )


def _orcid_enabled() -> bool:
    return bool(settings.SOCIALACCOUNT_PROVIDERS.get("orcid", {}).get("APPS"))


@login_required
@require_GET
def my_signatures(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "signatures/my_signatures.html",
        {
            "signatures": selectors.signatures_of_user(user=user),
            "withdrawn": selectors.signatures_withdrawn_by_user(user=user),
            "orcid_enabled": _orcid_enabled(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_signature_edit(request: HttpRequest, signature_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    signature = selectors.signature_of_user(user=user, signature_id=signature_id)
    if request.method == "POST":
        form = DisplayForm(request.POST)
        if form.is_valid():
            services.signature_update_display(
                signature_id=signature.pk,
                actor=user,
                display_name=form.cleaned_data["display_name"],
                title=form.cleaned_data["title"],
                show_affiliation=form.cleaned_data["show_affiliation"],
                reason="Edited by the signatory",
            )
            messages.success(request, _("Your changes are saved."))
            return redirect("signatures:my_signatures")
    else:
        form = DisplayForm(
            initial={
                "display_name": signature.display_name,
                "title": signature.title,
                "show_affiliation": signature.show_affiliation,
            }
        )
    return render(
        request, "signatures/my_signature_edit.html", {"signature": signature, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_signature_withdraw(request: HttpRequest, signature_id: int) -> HttpResponse:
    """A GET asks (with room for a reason), as the emailed withdrawal link does; a POST
    withdraws."""
    user: User = request.user  # type: ignore[assignment]
    signature = selectors.signature_of_user(user=user, signature_id=signature_id)
    if request.method == "GET":
        return render(request, "signatures/withdraw.html", {"signature": signature})
    given = request.POST.get("reason", "").strip()[:2000]
    services.signature_withdraw(
        signature_id=signature.pk,
        actor=user,
        reason=f"Withdrawn by the signatory: {given}" if given else "Withdrawn by the signatory",
    )
    messages.success(
        request,
        _("Your signature on “%(title)s” is withdrawn.") % {"title": signature.letter.title},
    )
    return redirect("signatures:my_signatures")


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    data = selectors.account_data(user=user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-signatures.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_delete(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(
                request, _("Tick the box to confirm that you want to delete everything.")
            )
            return redirect("signatures:my_delete")
        if user.is_staff:
            messages.error(request, _("Staff accounts are removed by an administrator."))
            return redirect("signatures:my_delete")
        count = services.account_delete(user=user)
        logout(request)
        return render(request, "signatures/deleted.html", {"count": count})
    return render(request, "signatures/my_delete.html")
