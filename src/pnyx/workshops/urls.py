from django.urls import path

from . import views

app_name = "workshops"
urlpatterns = [
    path("", views.index, name="index"),
    path("mon-parcours/", views.itinerary, name="itinerary"),
    path("mon-parcours/badge.pdf", views.my_badge_pdf, name="my_badge"),
    path("sujets/", views.ranking, name="ranking"),
    path("table/<int:number>/<str:token>/", views.table, name="table"),
    path("organisation/", views.hall, name="hall"),
    path("organisation/participants/", views.participants, name="participants"),
    path("organisation/plans/calculer/", views.run_plan, name="run_plan"),
    path("organisation/plans/<int:pk>/", views.plan, name="plan"),
    path("organisation/plans/<int:pk>/deplacer/", views.move, name="move"),
    path("organisation/plans/<int:pk>/publier/", views.publish, name="publish"),
    path("organisation/plans/<int:pk>/plan.csv", views.plan_csv, name="plan_csv"),
    path("organisation/tables/", views.tables, name="tables"),
    path("organisation/tables/cartes.pdf", views.table_cards_pdf, name="table_cards"),
    path("organisation/badges.pdf", views.badges_pdf, name="badges"),
    path("organisation/documents/", views.documents, name="documents"),
    path("organisation/documents/preparer/", views.document_start, name="document_start"),
    path("organisation/documents/<int:pk>/<str:name>", views.document_file, name="document_file"),
    path("organisation/contributions/", views.outputs, name="outputs"),
    path("organisation/contributions.csv", views.outputs_csv, name="outputs_csv"),
    path("organisation/contributions.md", views.outputs_md, name="outputs_md"),
    path("organisation/synthese.md", views.synthesis_md, name="synthesis_md"),
    path("organisation/synthese/", views.synthesis, name="synthesis"),
    path("organisation/synthese/revue/<int:pk>/", views.review_group, name="review"),
    path("organisation/synthese/finale/<str:campaign>/", views.final, name="final"),
    path("organisation/synthese/finale/<str:campaign>.md", views.final_md, name="final_md"),
    path("organisation/synthese/finale/<str:campaign>/vote/", views.final_vote, name="final_vote"),
]
