from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from campaign import views

# Staff sign in through allauth (rate limits, second factor), never the admin's own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

campaign_patterns = (
    [
        path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign"),
        path("letters/<slug:slug>/", views.letter_detail, name="letter"),
        path(
            "letters/<slug:slug>/versions/<int:number>/",
            views.letter_version,
            name="letter_version",
        ),
    ],
    "campaigns",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("", include(campaign_patterns)),
    path("", include("letters.signatures.urls")),
    path("", include("letters.institutions.urls")),
    path("", include("letters.packets.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.BENCH_FLOOR:
    from campaign.benchfloor import floor

    urlpatterns += [path("bench/floor/", floor)]
