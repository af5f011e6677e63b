from django.urls import path

from letters.signatures import views

app_name = "signatures"

urlpatterns = [
    path("letters/<slug:slug>/sign/", views.sign, name="sign"),
    path("letters/<slug:slug>/sign/check-email/", views.check_email, name="check_email"),
    path("letters/<slug:slug>/sign/thank-you/", views.confirmed, name="confirmed"),
    path("letters/<slug:slug>/signatories/", views.signatories, name="signatories"),
    path("signatures/challenge/", views.challenge, name="challenge"),
    path("signatures/confirm/<str:token>/", views.confirm, name="confirm"),
    path("signatures/withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("my/signatures/", views.my_signatures, name="my_signatures"),
    path("my/signatures/<int:signature_id>/", views.my_signature_edit, name="my_signature_edit"),
    path(
        "my/signatures/<int:signature_id>/withdraw/",
        views.my_signature_withdraw,
        name="my_signature_withdraw",
    ),
    path("my/data.json", views.my_data, name="my_data"),
    path("my/delete/", views.my_delete, name="my_delete"),
]
