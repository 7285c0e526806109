"""The unit's whole journey in a real browser: referral, triage, allocation, panel and pack,
minute and action, intervention, order, closure with monitoring, and an alert from an import.
"""

import datetime as dt

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _ok(page):
    """The page answered without an error page and without CSP complaints."""
    assert "Sorry" not in page.locator("h1").first.inner_text()
    assert page.csp_violations == []


def _uk(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


def test_it_takes_a_person_from_referral_to_a_post_exit_alert(
    page, login, users, perpetrator, tmp_path
):
    from highharm.accounts.permissions import Role

    today = dt.date.today()
    page.set_default_timeout(60000)  # a busy CI machine
    om = users[Role.OFFENDER_MANAGER]

    def switch(username):
        page.context.clear_cookies()
        login(username)

    # 1. An officer (the offender manager) refers Pete Perp.
    login("alice_om")
    page.goto("/referrals/new/")
    page.check("input[name=person_choice][value=existing]")
    page.fill("#id_person_reference", "P100")
    page.fill("#id_reason", "Repeat assaults on two partners, escalating to stalking.")
    page.fill("#id_concerns", "Stalked Wendy after she ended the relationship (CR3).")
    page.fill("#id_victim_1_reference", "V201")
    page.select_option("#id_victim_1_relationship", "ex_partner")
    page.check("input[name=children_in_household][value=no]")
    page.click("button:has-text('Send the referral')")
    _ok(page)
    assert "P100" in page.locator("main").inner_text()
    assert "Awaiting triage" in page.locator("main").inner_text()

    # 2. The triage lead opens a meeting and adopts Pete to the panel, with a rationale.
    switch("tina_triage")
    page.goto("/referrals/triage/")
    page.fill("#id_meeting_date", _uk(today))
    page.click("button:has-text('Create the meeting')")
    _ok(page)
    page.click("a:has-text('Decide on P100')")
    page.check("input[name=outcome][value=adopt]")
    page.fill("#id_rationale", "Escalating stalking of a new partner after strangulation history.")
    page.click("button:has-text('Record the decision')")
    _ok(page)
    assert "Escalating stalking" in page.locator("main").inner_text()

    # 3. The supervisor allocates the case to Alice.
    switch("sue_supervisor")
    page.goto("/cases/supervisor/")
    row = page.locator("#awaiting ~ table tr", has_text="P100")
    row.locator("select").select_option(str(om.pk))
    row.locator("button:has-text('Allocate')").click()
    _ok(page)
    assert "P100" in page.locator("h1").inner_text() or "Pete" in page.locator("main").inner_text()
    case_url = page.url
    assert "/cases/" in case_url

    # 4. The chair creates a panel meeting; Pete is proposed for the agenda as newly adopted.
    switch("carl_chair")
    page.goto("/panels/new/")
    page.fill("#id_held_on", (today + dt.timedelta(days=7)).isoformat())
    page.fill("#id_location", "Room 4, Central")
    page.click("button:has-text('Save')")
    _ok(page)
    meeting_url = page.url
    page.click("button:has-text('to the agenda')")
    _ok(page)
    agenda = page.locator("main table").first
    assert "P100" in agenda.inner_text()
    assert "Newly adopted" in agenda.inner_text()

    # The pack: HTML on screen, PDF for distribution.
    page.click("a:has-text('Panel pack')")
    _ok(page)
    pack = page.locator("main").inner_text()
    assert "Pete Perp" in pack and "CR3" in pack
    pdf = page.request.get(meeting_url.rstrip("/") + "/pack.pdf")
    assert pdf.status == 200
    assert pdf.body()[:4] == b"%PDF"

    # 5. A minute and an action for Pete.
    page.goto(meeting_url)
    page.click("a:has-text('Write the minute')")
    page.fill("#id_discussion", "Housing report a new address near the victim.")
    page.fill("#id_decisions", "Seek a Stalking Protection Order.")
    page.click("button:has-text('Save the minute')")
    _ok(page)
    assert "Minuted" in page.locator("main").inner_text()
    page.click("a:has-text('an action for P100')")
    page.fill("#id_description", "Apply for an interim SPO")
    page.select_option("#id_owner", str(om.pk))
    page.fill("#id_due_on", (today + dt.timedelta(days=10)).isoformat())
    page.click("button:has-text('Set the action')")
    _ok(page)
    assert "Apply for an interim SPO" in page.locator("main").inner_text()

    # 6. Alice records an intervention and an order, sees the order on her dashboard,
    # then closes the case with post-exit monitoring.
    switch("alice_om")
    page.goto(case_url)
    assert "Apply for an interim SPO" in page.locator("main").inner_text()
    page.click("a:has-text('Add engagement')")
    page.select_option("#id_type", "housing")
    page.fill("#id_provider", "Wessex Housing")
    page.fill("#id_started_on", today.isoformat())
    page.select_option("#id_status", "in_progress")
    page.select_option("#id_engaged", "engaged")
    page.locator("main form .govuk-button-group button.govuk-button").first.click()
    _ok(page)
    assert "Wessex Housing" in page.locator("#interventions ~ table").first.inner_text()
    page.click("a:has-text('Record an order')")
    page.select_option("#id_type", "spo_interim")
    page.fill("#id_starts_on", (today - dt.timedelta(days=20)).isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=9)).isoformat())
    page.fill("#id_conditions", "Not to contact Wendy Witness or go to her street.")
    page.locator("main form .govuk-button-group button.govuk-button").first.click()
    _ok(page)
    page.goto("/")
    home = page.locator("main").inner_text()
    assert "Interim Stalking Protection Order" in home
    assert "P100" in home

    page.goto(case_url)
    page.click("a:has-text('Close the case')")
    page.check("input[name=reason][value=risk_reduced]")
    page.fill("#id_rationale", "Order in place, engaged with housing, no incidents since adoption.")
    page.locator("main form .govuk-button-group button.govuk-button").first.click()
    _ok(page)
    assert "Closed" in page.locator("main").inner_text()

    # 7. A new incident for Pete arrives in an import; the scan raises an alert.
    from highharm.records.services import records_import
    from highharm.referrals.services import monitoring_scan

    csv = tmp_path / "incidents.csv"
    csv.write_text(
        "crime_reference,occurred_on,offence_code,perpetrator_ref,victim_ref,relationship,"
        "domestic,stalking,sexual,strangulation,weapon,breach,outcome\n"
        f"CR99,{today.isoformat()},CA,P100,V201,ex_partner,Y,Y,N,N,N,Y,"
        "under_investigation\n"
    )
    records_import(incidents_path=csv)
    monitoring_scan()
    page.goto("/")
    home = page.locator("main").inner_text()
    assert "CR99" in home and "P100" in home
    page.goto("/referrals/monitoring/")
    _ok(page)
    alerts = page.locator("main").inner_text()
    assert "P100" in alerts and "CR99" in alerts
