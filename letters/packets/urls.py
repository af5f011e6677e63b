from django.urls import path

from letters.packets import views

app_name = "packets"

urlpatterns = [
    path("packets/verify/", views.verify, name="verify"),
    path("packets/verify/<str:identifier>/", views.verify_identifier, name="verify_identifier"),
]
