from django.urls import path

from . import views

app_name = "votes"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/verifier/", views.review, name="review"),
    path("<int:pk>/voter/", views.cast, name="cast"),
    path("<int:pk>/proposer/", views.propose, name="propose"),
    path("<int:pk>/resultats/", views.results, name="results"),
    path("<int:pk>/bulletins.csv", views.ballots_file, name="ballots_file"),
    path("<int:pk>/recu/", views.receipt_check, name="receipt_check"),
    path("<int:pk>/ecran/", views.screen, name="screen"),
    path("organisation/", views.manage_list, name="manage_list"),
    path("organisation/<int:pk>/", views.manage, name="manage"),
    path("organisation/<int:pk>/<slug:verb>/", views.manage_action, name="manage_action"),
]
