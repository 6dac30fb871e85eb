from django.urls import path

from . import views

app_name = "draws"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.public, name="public"),
    path("<int:pk>/<str:name>", views.download, name="download"),
    path("mon-tirage/", views.mine, name="mine"),
    path("mon-tirage/<int:pk>/repondre/", views.respond, name="respond"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("organisation/", views.organizer_list, name="organizer_list"),
    path("organisation/<int:pk>/", views.organizer_draw, name="organizer_draw"),
]
