from django.urls import path

from highharm.panels import views

app_name = "panels"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:item>/", views.action_update, name="action_update"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/attendees/", views.attendee_add, name="attendee_add"),
    path("<int:pk>/attendees/<int:item>/remove/", views.attendee_remove, name="attendee_remove"),
    path("<int:pk>/agenda/build/", views.agenda_build, name="agenda_build"),
    path("<int:pk>/agenda/add/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/agenda/<int:item>/remove/", views.agenda_remove, name="agenda_remove"),
    path("<int:pk>/agenda/<int:item>/minute/", views.minute_edit, name="minute"),
    path("<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("<int:pk>/pack/", views.pack_html, name="pack"),
    path("<int:pk>/pack.pdf", views.pack_pdf, name="pack_pdf"),
]
