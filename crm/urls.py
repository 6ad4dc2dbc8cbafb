from django.contrib import admin
from django.urls import include, path

from crm import login_throttle, views

urlpatterns = [
    path("", include("crm.app_urls")),
    # The phase colours' stylesheet belongs to opportunities (phases are its rows); by name,
    # as every app here, so the kernel imports none of them.
    path("", include("opportunities.site_urls")),
    # Django's page, except that the new password also lifts the username's login locks.
    path(
        "accounts/reset/<uidb64>/<token>/",
        login_throttle.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # The account menu's language choice (base.html): Django's set_language, and the choice
    # remembered for the user's e-mails.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("organizations/", include("organizations.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("", include("journal.urls")),
    path("documents/", include("documents.urls")),
    path("admin/", admin.site.urls),
]

# A database outage answers 503 "try again in a minute" instead of 500.
handler500 = "crm.views.server_error"
