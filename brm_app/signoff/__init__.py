"""The customer's sign-off of a business case (docs/sign-off.md): who signs (the portfolio's stakeholders
marked Signs Off Requirements), what they sign (digests), and the records of their decisions.

- `digests`: what a sign-off binds to (each requirement, the case's costs and benefits);
- `records`: the Customer Sign-off records, written only here (`server_write`), never by a user's save;
- `flow`: asking, deciding, voiding, and moving the case on through the workflow's system steps.
"""
