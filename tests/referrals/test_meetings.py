from django.urls import reverse

from highharm.accounts.permissions import Role
from highharm.referrals.models import TriageAttendee, TriageMeeting


def test_it_creates_a_meeting_with_its_chair_present(client_for, users):
    response = client_for(Role.TRIAGE_LEAD).post(
        reverse("referrals:meetings"),
        {"meeting_date": "12/1/2027", "chair": users[Role.TRIAGE_LEAD].pk},
    )
    meeting = TriageMeeting.objects.get()
    assert response["Location"] == reverse("referrals:meeting", args=[meeting.pk])
    assert meeting.meeting_date.isoformat() == "2027-01-12"
    attendee = meeting.attendees.get()
    assert (attendee.name, attendee.agency.name, attendee.role) == (
        "Tina",
        "Wessex Police",
        "Chair",
    )


def test_it_says_what_is_wrong_with_a_meeting_date(client_for, users):
    body = (
        client_for(Role.TRIAGE_LEAD)
        .post(reverse("referrals:meetings"), {"meeting_date": "31/2/2027"})
        .content.decode()
    )
    assert "Enter the date as day/month/year" in body
    assert not TriageMeeting.objects.exists()


def test_it_records_and_removes_people_present_with_their_agency(client_for, meeting, agencies):
    client = client_for(Role.TRIAGE_LEAD)
    client.post(
        reverse("referrals:meeting_attendee_add", args=[meeting.pk]),
        {"name": "Ida IDVA", "agency": agencies["housing"].pk, "role": "IDVA"},
    )
    ida = TriageAttendee.objects.get(name="Ida IDVA")
    assert ida.agency == agencies["housing"]
    refused = client.post(
        reverse("referrals:meeting_attendee_add", args=[meeting.pk]),
        {"name": "No Agency"},
        follow=True,
    )
    assert "Choose the agency the person is from" in refused.content.decode()
    client.post(reverse("referrals:meeting_attendee_remove", args=[meeting.pk, ida.pk]))
    assert not TriageAttendee.objects.filter(name="Ida IDVA").exists()


def test_it_closes_a_meeting_and_carries_the_rest_over(client_for, refer, perpetrator, meeting):
    refer(perpetrator)
    client = client_for(Role.TRIAGE_LEAD)
    client.post(reverse("referrals:meeting_close", args=[meeting.pk]), {"version": meeting.version})
    meeting.refresh_from_db()
    assert meeting.is_closed
    body = client.get(reverse("referrals:meeting", args=[meeting.pk])).content.decode()
    assert "Queue:" not in body
