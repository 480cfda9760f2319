"""`cmrnet send-digests`: send the daily digest e-mails now (the daily tick does this too)."""

from django.core.management.base import BaseCommand

from cmrnet.notifications.tasks import send_digest_emails


class Command(BaseCommand):
    help = "Send one e-mail per person listing the notifications not yet e-mailed (daily digest)."

    def handle(self, *args, **options):
        result = send_digest_emails.enqueue()
        if result.is_finished:
            self.stdout.write(f"{result.return_value} digest e-mail(s) sent.")
        else:
            self.stdout.write(f"Digests enqueued (task {result.id}).")
