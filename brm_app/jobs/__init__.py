"""The scheduled jobs (hooks.scheduler_events). Each picks its records with one query, handles them one
by one with the row locked and re-checked, logs a failing record and goes on, and may run twice.

- `surveys`: send due surveys, reminders, expiry, surveys of projects completed without a save.
- `agreements`: the daily agreement status job and the renewal reminders.
- `health`: the hourly portfolio health score, set-based.
"""
