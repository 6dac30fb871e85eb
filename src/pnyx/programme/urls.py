from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("", views.home, name="home"),
    path("programme.ics", views.calendar, name="calendar"),
    path("actualites/", views.news_list, name="news"),
    path("ecran/", views.screen, name="screen"),
    path("interventions/proposer/", views.propose, name="propose"),
    path("interventions/mes-propositions/", views.my_interventions, name="my_interventions"),
    path("interventions/<int:pk>/modifier/", views.revise, name="revise"),
    path("interventions/<int:pk>/video/", views.video, name="video"),
    path("badge/<int:pk>/<str:token>/", views.badge, name="badge"),
    path("organisation/", views.organizer_home, name="organizer_home"),
    path("organisation/interventions/", views.moderation_list, name="moderation"),
    path("organisation/interventions/<int:pk>/decision/", views.moderate, name="moderate"),
    path("organisation/interventions/<int:pk>/placer/", views.place, name="place"),
    path("organisation/interventions/<int:pk>/retirer/", views.unplace, name="unplace"),
    path("organisation/programme/", views.slots, name="slots"),
]
