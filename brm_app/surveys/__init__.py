"""Satisfaction survey lifecycle (docs/design.md S3 f, K6): scheduling when tickets close or projects are
delivered, tokens for the public survey page, e-mail invitations and reminders, expiry and follow-up."""
