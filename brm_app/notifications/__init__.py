"""The e-mails brm_app sends (survey invitations and reminders, agreement renewal reminders), built from
Email Template records in the recipient's language (`mail`)."""
