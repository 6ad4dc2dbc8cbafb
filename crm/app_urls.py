from django.urls import path

from crm import views

urlpatterns = [
    path("", views.home, name="home"),
    path("phases.css", views.phase_styles, name="phase-styles"),
]
