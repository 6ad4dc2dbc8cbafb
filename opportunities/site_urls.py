"""This app's URLs outside /opportunities/ and its namespace: what every page links."""

from django.urls import path

from opportunities.views import phases

urlpatterns = [
    path("phases.css", phases.phase_styles, name="phase-styles"),
]
