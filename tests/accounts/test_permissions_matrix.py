from highharm.accounts.permissions import MATRIX, Cap, Role, role_can, roles_with


def test_it_gives_every_role_a_row():
    assert set(MATRIX) == set(Role)


def test_it_lets_only_auditors_read_the_access_log():
    assert roles_with(Cap.AUDIT_VIEW) == {Role.AUDITOR}


def test_it_hides_victims_from_partners_and_analysts():
    assert not role_can(Role.PARTNER, Cap.PERSON_VIEW_VICTIMS)
    assert not role_can(Role.ANALYST, Cap.PERSON_VIEW_VICTIMS)
    assert role_can(Role.OFFENDER_MANAGER, Cap.PERSON_VIEW_VICTIMS)


def test_it_hides_names_from_analysts():
    assert not role_can(Role.ANALYST, Cap.PERSON_VIEW_IDENTITY)


def test_it_refuses_everything_to_no_role_and_unknown_roles():
    for cap in Cap:
        assert not role_can("", cap)
        assert not role_can(None, cap)
        assert not role_can("superhero", cap)


def test_it_keeps_user_management_with_administrators():
    assert roles_with(Cap.USERS_MANAGE) == {Role.ADMINISTRATOR}
