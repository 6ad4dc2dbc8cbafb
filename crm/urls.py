from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("crm.app_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    # set_language: the account menu's language choice (a cookie; base.html).
    path("i18n/", include("django.conf.urls.i18n")),
    path("organizations/", include("organizations.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("", include("journal.urls")),
    path("documents/", include("documents.urls")),
    path("admin/", admin.site.urls),
]

# A database outage answers 503 "try again in a minute" instead of 500.
handler500 = "crm.views.server_error"
