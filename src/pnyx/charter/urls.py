from django.urls import path

from . import views

app_name = "charter"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/amender/", views.amend, name="amend"),
    path("<int:pk>/charte.pdf", views.pdf, name="pdf"),
    path("<int:pk>/table/<int:number>/<str:token>/", views.table_amend, name="table_amend"),
    path("organisation/", views.manage_list, name="manage_list"),
    path("organisation/<int:pk>/", views.manage, name="manage"),
    path("organisation/<int:pk>/fenetre/", views.window, name="window"),
    path("organisation/<int:pk>/table/", views.table_amendment, name="table_amendment"),
    path(
        "organisation/<int:pk>/amendements/<int:amendment>/",
        views.moderate,
        name="moderate",
    ),
    path("organisation/<int:pk>/votes/", views.vote_step, name="vote_step"),
]
