from django.urls import path

from highharm.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.report, name="report"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<int:pk>/people.csv", views.people_csv, name="people_csv"),
    path("<int:pk>/summary.csv", views.summary_csv, name="summary_csv"),
    path("<int:pk>/trend.csv", views.trend_csv, name="trend_csv"),
    path("<int:pk>/successes.csv", views.successes_csv, name="successes_csv"),
]
