"""Who may see and change which BRM record, enforced where the data is (docs/security.md cases 1-4, 27).

- `rules`: the row-level rule itself (a relationship manager sees their customers' records): the list
  conditions (`permission_query_conditions`), `has_permission` on the stored row, DocShare.
- `endpoints`: permission-checked replacements of frappe 15 endpoints that skip row-level access
  (counts, link search, reports, dashboard charts, group-by counts).
- `record_paths`: the frappe 15 methods that reach a record by name unchecked (tags, follows, links,
  Comment / Document Follow rows).
- `files`: Files attached to BRM records follow the record's access.
"""
