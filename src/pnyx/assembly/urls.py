from django.urls import path

from . import views

app_name = "assembly"
urlpatterns = [
    path("", views.public, name="public"),
    path("calendrier.ics", views.calendar, name="calendar"),
    path("vague/<int:pk>/<str:name>", views.download, name="download"),
    path("mon-invitation/", views.mine, name="mine"),
    path("organisation/", views.organizer, name="organizer"),
]
