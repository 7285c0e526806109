from django.core.management.base import BaseCommand, CommandError

from highharm.accounts.models import User
from highharm.accounts.permissions import Cap, user_can
from highharm.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API bearer token for a user; the token is printed once and never stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--days", type=int, default=90)

    def handle(self, *args, username, name, days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}")
        if not user_can(user, Cap.API_TOKEN):
            raise CommandError(f"{username}'s role may not use the API")
        _, plaintext = api_token_create(user=user, name=name, days=days)
        self.stdout.write(plaintext)
