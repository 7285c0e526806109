from django.urls import path

from highharm.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("allocate/", views.allocate, name="allocate"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("actions/<int:item>/", views.action_update, name="action_update"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/plan/", views.case_edit, name="edit"),
    path("<int:pk>/lead/", views.case_reallocate, name="reallocate"),
    path("<int:pk>/close/", views.case_close, name="close"),
    path("<int:pk>/actions/new/", views.action_new, name="action_new"),
    path("<int:pk>/interventions/new/", views.intervention_new, name="intervention_new"),
    path("<int:pk>/interventions/<int:item>/", views.intervention_edit, name="intervention_edit"),
    path("<int:pk>/orders/new/", views.order_new, name="order_new"),
    path("<int:pk>/orders/<int:item>/", views.order_edit, name="order_edit"),
    path("<int:pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("<int:pk>/contacts/<int:item>/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/tracing/new/", views.tracing_new, name="tracing_new"),
    path("<int:pk>/tracing/<int:item>/", views.tracing_edit, name="tracing_edit"),
    path("<int:pk>/victims/new/", views.victim_new, name="victim_new"),
    path("<int:pk>/victims/<int:item>/", views.victim_edit, name="victim_edit"),
]
