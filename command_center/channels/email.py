"""E-mail over SMTP (STARTTLS and a login when configured): a plain-text part and an HTML part,
the HTML escaped, and the message's file attached (an issued sitrep); the Message-ID comes
from the delivery's key, so a resend is the same mail."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from command_center.base.settings import Settings
from command_center.channels import SendFailed
from command_center.services.alerts import Message, email_html, plain_text


class Email:
    name = "email"
    per_second = 10.0
    carries_files = True

    def __init__(self, settings: Settings):
        self.settings = settings

    def send(self, message: Message, address: str) -> None:
        s = self.settings
        mail = EmailMessage()
        mail["Subject"] = message.heading.replace("\n", " ")[:200]
        mail["From"], mail["To"] = s.smtp_sender, address
        mail["Message-ID"] = f"<{message.key}@command-center>"
        mail.set_content(plain_text(message))
        mail.add_alternative(email_html(message), subtype="html")
        if (file := message.attachment) is not None:
            maintype, subtype = file.mime.split("/")
            mail.add_attachment(file.content, maintype, subtype, filename=file.name)
        try:
            with smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=s.http_timeout_s) as smtp:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context(cafile=s.smtp_ca_file))
                if s.smtp_username and s.smtp_password is not None:
                    smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            final = all(code >= 500 for code in codes)
            raise SendFailed(f"e-mail: recipient refused ({codes})", not final) from exc
        except smtplib.SMTPResponseException as exc:
            final = exc.smtp_code >= 500
            raise SendFailed(f"e-mail: server said {exc.smtp_code}", not final) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"e-mail: {type(exc).__name__}: {exc}") from exc
