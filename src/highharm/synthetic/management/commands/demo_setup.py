"""`highharm demo-setup`: a synthetic force and one user per role, for `make demo`.

Run again, it reuses what is there: the force is generated and imported only
when the database has no incidents, and the demo users keep their passwords
(kept in var/demo-users.txt, readable only by the owner).
"""

import secrets
import stat
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from highharm.accounts.models import Agency, User
from highharm.accounts.permissions import ROLE_LABELS, Role
from highharm.records.catalogue import catalogue_load_default
from highharm.records.models import Incident

# `import-records` exits with 3 when it rejected some rows and took all the others.
IMPORT_PARTIAL = 3
DEMO_USERS = {
    Role.OFFENDER_MANAGER: ("om", "Olivia", "Marsh"),
    Role.TRIAGE_LEAD: ("triage", "Tom", "Reed"),
    Role.PANEL_CHAIR: ("chair", "Priya", "Chandra"),
    Role.ANALYST: ("analyst", "Ana", "Lyle"),
    Role.PARTNER: ("partner", "Pat", "Hughes"),
    Role.SUPERVISOR: ("supervisor", "Sam", "Bishop"),
    Role.AUDITOR: ("auditor", "Aud", "Tremain"),
    Role.ADMINISTRATOR: ("admin", "Adam", "Mills"),
}
AGENCIES = [
    ("Wessex Police", Agency.Kind.POLICE),
    ("Wessex Probation Service", Agency.Kind.PROBATION),
    ("Wessex Council Housing", Agency.Kind.HOUSING),
    ("Wessex IDVA Service", Agency.Kind.VICTIM_SERVICES),
    ("Wessex Drug and Alcohol Service", Agency.Kind.SUBSTANCE_MISUSE),
    ("Wessex Perpetrator Programme", Agency.Kind.PERPETRATOR_PROGRAMME),
]


class Command(BaseCommand):
    help = "Set up the demonstration: catalogue, a synthetic force (first time only), one user per role."

    def add_arguments(self, parser):
        parser.add_argument("--perpetrators", type=int, default=3000)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--seed", type=int, default=2023)

    def handle(self, *args, perpetrators, years, seed, **options):
        result = catalogue_load_default()
        self.stdout.write(f"Offence catalogue: {result.inserted} added, {result.updated} updated.")
        agencies = {
            name: Agency.objects.get_or_create(name=name, defaults={"kind": kind})[0]
            for name, kind in AGENCIES
        }

        if not Incident.objects.exists():
            self._make_force(perpetrators=perpetrators, years=years, seed=seed)
        else:
            self.stdout.write(
                f"Reusing the force already imported ({Incident.objects.count():,} incidents)."
            )

        self._after_import()
        users = self._users(agencies)
        self._unit_work(agencies)
        self.stdout.write("")
        self.stdout.write("Demo users (synthetic data only; passwords kept in var/demo-users.txt):")
        for role, (username, password) in users.items():
            self.stdout.write(
                f"  {ROLE_LABELS[role]:<22} username: {username:<11} password: {password}"
            )
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000 and sign in.")

    def _make_force(self, *, perpetrators, years, seed):
        from highharm.synthetic.generator import generate

        out = Path(settings.VAR_DIR) / "demo-force"
        self.stdout.write(
            f"Generating a synthetic force: {perpetrators:,} perpetrators over {years} years…"
        )
        persons, incidents, stats = generate(perpetrators, years, seed, out)
        self.stdout.write("Importing it…")
        try:
            call_command(
                "import_records",
                persons=persons,
                incidents=incidents,
                no_progress=True,
                stdout=self.stdout,
            )
        except CommandError as exc:
            # Exit code 3: some rows were rejected (listed in the rejects files the import
            # named above) and every other row was taken. The demonstration carries on
            # with what was imported; any other failure stops it.
            if getattr(exc, "returncode", 1) != IMPORT_PARTIAL:
                raise
            self.stdout.write(
                self.style.WARNING(
                    f"The import was partial: {exc}. Carrying on with the rows imported."
                )
            )

    def _after_import(self):
        """Steps that need the force: stored scores, and the unit's own demo work when available."""
        from django.core.management import get_commands

        if "identify" in get_commands():
            call_command("identify", store=True, top=200, stdout=self.stdout)

    def _unit_work(self, agencies):
        """The unit's own demo history (referrals, triage, panel, cases), once."""
        from highharm.synthetic.unit_work import unit_work_create

        users = {
            role: User.objects.get(username=username)
            for role, (username, _, _) in DEMO_USERS.items()
        }
        made = unit_work_create(users=users, agencies=agencies)
        if made:
            self.stdout.write(
                "The unit's work: {referrals} referrals, {decisions} triage decisions, "
                "{cases} cases, {alerts} monitoring alert(s).".format(**made)
            )
            # The story ends with a new incident (the alert after an exit): score again, as
            # the nightly run would, so every stored score covers every incident shown.
            self._after_import()
        else:
            self.stdout.write("The unit's work is already there (referrals exist): left as it is.")

    def _users(self, agencies) -> dict:
        path = Path(settings.VAR_DIR) / "demo-users.txt"
        known = {}
        if path.exists():
            for line in path.read_text().splitlines():
                username, _, password = line.partition(" ")
                known[username] = password
        made = {}
        for role, (username, first, last) in DEMO_USERS.items():
            password = known.get(username) or secrets.token_urlsafe(9)
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name, user.role = first, last, role.value
            user.agency = agencies[
                "Wessex Council Housing" if role == Role.PARTNER else "Wessex Police"
            ]
            user.is_active = True
            user.set_password(password)
            user.save()
            made[role] = (username, password)
        path.write_text("".join(f"{u} {p}\n" for u, p in made.values()))
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
        return made
