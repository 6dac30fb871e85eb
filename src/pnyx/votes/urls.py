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
    path("<int:pk>/election.json", views.election_json, name="election_json"),
    path("<int:pk>/voter-chiffre/", views.cast_encrypted, name="cast_encrypted"),
    path("<int:pk>/urne/", views.board, name="board"),
    path("<int:pk>/urne/<int:seq>.json", views.board_ballot, name="board_ballot"),
    path("<int:pk>/vote.bel", views.record_file, name="record"),
    path("garant/<int:pk>/<str:token>/", views.trustee, name="trustee"),
    path("garant/<int:pk>/<str:token>/<str:name>", views.trustee_file, name="trustee_file"),
    path("organisation/<int:pk>/electorat.txt", views.electorate_file, name="electorate_file"),
    path("organisation/", views.manage_list, name="manage_list"),
    path("organisation/<int:pk>/", views.manage, name="manage"),
    path("organisation/<int:pk>/<slug:verb>/", views.manage_action, name="manage_action"),
]
