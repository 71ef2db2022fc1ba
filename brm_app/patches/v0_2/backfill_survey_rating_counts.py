"""Fill Satisfaction Survey's rating_count / satisfied_count (ratings, ratings of 4 or 5) of existing surveys.

K6 and the health job sum these two columns over the surveys instead of joining the answer rows; a survey
saved since they exist has them from its controller. One set-based UPDATE over all surveys: a survey
that is not Responded, or has no rating answers, gets 0 / 0, as the controller gives it.
"""

import frappe


def execute():
	frappe.db.sql(
		"""
		update `tabSatisfaction Survey` s
		left join (
			select a.`parent`, count(*) as ratings, sum(a.`score` >= 4) as satisfied
			from `tabSatisfaction Survey Answer` a
			where a.`parenttype` = 'Satisfaction Survey' and a.`question_type` = 'Rating'
				and a.`score` between 1 and 5
			group by a.`parent`
		) r on r.`parent` = s.`name`
		set s.`rating_count` = if(s.`status` = 'Responded', coalesce(r.ratings, 0), 0),
			s.`satisfied_count` = if(s.`status` = 'Responded', coalesce(r.satisfied, 0), 0)
		"""
	)
