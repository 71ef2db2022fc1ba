"""Service reviews (docs/service-reviews.md): the agenda of a review built from the period's data, its action
items as ToDos, the portfolio's review rhythm and the customer-facing Service Review Pack."""
