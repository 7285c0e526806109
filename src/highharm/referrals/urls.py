from django.urls import path

from highharm.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.referral_create, name="create"),
    path("from-candidate/", views.referral_from_candidate, name="from_candidate"),
    path("<int:referral_id>/", views.referral_detail, name="detail"),
    path("<int:referral_id>/edit/", views.referral_edit, name="edit"),
    path("<int:referral_id>/withdraw/", views.referral_withdraw, name="withdraw"),
    path("triage/", views.meeting_list, name="meetings"),
    path("triage/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("triage/<int:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("triage/<int:meeting_id>/close/", views.meeting_close, name="meeting_close"),
    path(
        "triage/<int:meeting_id>/present/", views.meeting_attendee_add, name="meeting_attendee_add"
    ),
    path(
        "triage/<int:meeting_id>/present/<int:attendee_id>/remove/",
        views.meeting_attendee_remove,
        name="meeting_attendee_remove",
    ),
    path("triage/<int:meeting_id>/referrals/<int:referral_id>/", views.decide, name="decide"),
    path(
        "triage/<int:meeting_id>/referrals/<int:referral_id>/carry-over/",
        views.defer,
        name="defer",
    ),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("monitoring/alerts/<int:alert_id>/re-refer/", views.alert_rerefer, name="alert_rerefer"),
    path("monitoring/alerts/<int:alert_id>/dismiss/", views.alert_dismiss, name="alert_dismiss"),
]
