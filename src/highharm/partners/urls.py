from django.urls import path

from highharm.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.directory, name="list"),
    path("agencies/<int:agency_id>/", views.agency_detail, name="agency"),
    path("agencies/<int:agency_id>/services/new/", views.service_create, name="service_create"),
    path("services/<int:service_id>/", views.service_edit, name="service_edit"),
    path("referrals-out/", views.referral_out_list, name="referrals_out"),
    path("referrals-out/new/", views.referral_out_create, name="referral_out_create"),
    path("referrals-out/<int:referral_out_id>/", views.referral_out_detail, name="referral_out"),
]
