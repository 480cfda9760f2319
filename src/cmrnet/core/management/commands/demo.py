from django.core.management.base import BaseCommand

from cmrnet.core.demo import DEMO_NOTES, load_demo


class Command(BaseCommand):
    help = "Load the demo network (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        accounts = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo network ready. Demo accounts (one per role):"))
        width = max(len(role) for role, _, _ in accounts)
        for role, email, password in accounts:
            self.stdout.write(f"  {role:<{width}}  {email:<28}  password: {password}")
        for note in DEMO_NOTES:
            self.stdout.write(note)
