from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("connexion/", views.sign_in, name="sign_in"),
    path("connexion/<str:token>/", views.sign_in_link, name="sign_in_link"),
    path("deconnexion/", LogoutView.as_view(), name="sign_out"),
]
