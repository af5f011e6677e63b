from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


class VerifyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Packet PDF"),
        help_text=_("The PDF file exactly as you received it."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.PACKET_VERIFY_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s; packets are far smaller.")
                % {"limit": filesizeformat(settings.PACKET_VERIFY_MAX_BYTES)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class VerifyIdentifierForm(forms.Form):
    identifier = forms.CharField(
        label=_("Packet identifier"),
        max_length=40,
        help_text=_("Printed on the last page of the packet, e.g. 7K3Q-9XHD-3MPA-ZR4T."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
