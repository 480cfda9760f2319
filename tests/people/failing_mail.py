"""An e-mail backend that refuses every message as a mail server would (tests of failed deliveries)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"5.1.1 Mailbox does not exist")})
        return 0
