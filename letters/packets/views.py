from __future__ import annotations

from allauth.core import ratelimit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from letters.packets.forms import VerifyIdentifierForm, VerifyUploadForm
from letters.packets.selectors import normalise_identifier
from letters.packets.verification import Verification, packet_look_up, packet_verify_file


def _page(
    request: HttpRequest,
    *,
    upload: VerifyUploadForm | None = None,
    lookup: VerifyIdentifierForm | None = None,
    result: Verification | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "packets/verify.html",
        {
            "upload_form": upload or VerifyUploadForm(),
            "identifier_form": lookup or VerifyIdentifierForm(),
            "result": result,
            "max_size": filesizeformat(settings.PACKET_VERIFY_MAX_BYTES),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if "identifier" in request.GET:
            lookup = VerifyIdentifierForm(request.GET)
            if lookup.is_valid():
                identifier = normalise_identifier(lookup.cleaned_data["identifier"])
                if identifier:
                    return redirect("packets:verify_identifier", identifier=identifier)
                return _page(
                    request,
                    lookup=lookup,
                    result=packet_look_up(raw=lookup.cleaned_data["identifier"]),
                )
            return _page(request, lookup=lookup, status=400)
        return _page(request)
    # Refuse an oversized upload before Django reads it to disk.
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.PACKET_VERIFY_MAX_BYTES + 64 * 1024:
        upload = VerifyUploadForm()
        upload.errors["file"] = upload.error_class(
            [_("The file is larger than %(limit)s; packets are far smaller.")
             % {"limit": filesizeformat(settings.PACKET_VERIFY_MAX_BYTES)}]
        )  # fmt: skip
        return _page(request, upload=upload, status=413)
    if not ratelimit.consume(request, action="verify_packet"):
        return _page(
            request,
            result=Verification(
                False, _("Too many checks from your network; try again in a minute.")
            ),
            status=429,
        )
    upload = VerifyUploadForm(request.POST, request.FILES)
    if not upload.is_valid():
        return _page(request, upload=upload, status=400)
    data = upload.cleaned_data["file"].read()
    return _page(request, result=packet_verify_file(data=data))


def verify_identifier(request: HttpRequest, identifier: str) -> HttpResponse:
    result = packet_look_up(raw=identifier)
    return _page(
        request,
        lookup=VerifyIdentifierForm(initial={"identifier": identifier}),
        result=result,
        status=200 if result.verified else 404,
    )
