import datetime as dt

from highharm.accounts.permissions import Role
from tests.panels.factories import adopt, meeting, open_case


def test_it_renders_every_page_for_a_case(client_for, users, perpetrator):
    om = users[Role.OFFENDER_MANAGER]
    case = open_case(perpetrator, om)
    c = client_for(Role.OFFENDER_MANAGER)
    for url in [
        "/",
        "/cases/",
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/plan/",
        f"/cases/{case.pk}/close/",
        f"/cases/{case.pk}/interventions/new/",
        f"/cases/{case.pk}/orders/new/",
        f"/cases/{case.pk}/contacts/new/",
        f"/cases/{case.pk}/tracing/new/",
        f"/cases/{case.pk}/victims/new/",
        f"/cases/{case.pk}/actions/new/",
        "/cases/dashboard/",
        "/panels/",
        "/panels/actions/",
    ]:
        response = c.get(url)
        assert response.status_code == 200, url
    sup = client_for(Role.SUPERVISOR)
    adopt(perpetrator, on=dt.date(2026, 1, 5))
    assert sup.get("/cases/supervisor/").status_code == 200
    m = meeting(chair=users[Role.PANEL_CHAIR])
    chair = client_for(Role.PANEL_CHAIR)
    assert chair.post(f"/panels/{m.pk}/agenda/build/").status_code == 302
    for url in [
        f"/panels/{m.pk}/",
        f"/panels/{m.pk}/pack/",
        f"/panels/{m.pk}/edit/",
        f"/panels/{m.pk}/actions/new/",
        "/panels/new/",
    ]:
        assert chair.get(url).status_code == 200, url
    pdf = chair.get(f"/panels/{m.pk}/pack.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
