from django.urls import path

from letters.institutions import views

app_name = "institutions"

urlpatterns = [path("institutions/search/", views.search, name="search")]
