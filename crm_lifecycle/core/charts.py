"""The workspace charts' arithmetic: the conversion funnel, the age buckets of held invoices and
the monthly deactivations. Plain data in, plain data out; services/charts.py reads the site.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from crm_lifecycle.core.dependencies import Edge

FUNNEL = ("Lead", "Opportunity", "Quotation", "Sales Order", "Sales Invoice")
AGE_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, None))  # days since the due date


@dataclass(frozen=True)
class Stage:
	doctype: str
	leads: int  # leads of the period that reached this stage
	rate: float | None  # share of the previous stage's leads, in percent (None for the first)


def leads_down(edge: Edge) -> bool:
	"""Whether an edge leads further down the funnel (an opportunity made again from a quotation
	points back up and is not followed)."""
	source, target = edge.source.doctype, edge.target.doctype
	return source in FUNNEL and target in FUNNEL and FUNNEL.index(target) > FUNNEL.index(source)


def funnel(reached: Mapping[str, set[str]], leads: Iterable[str]) -> list[Stage]:
	"""`reached`: doctype -> the leads that reached a (readable) record of it. Each stage counts
	the leads that reached it, and its rate is against the stage before."""
	leads = set(leads)
	stages, previous = [], None
	for doctype in FUNNEL:
		count = len(leads if doctype == "Lead" else reached.get(doctype, set()) & leads)
		rate = None if previous is None else (round(100.0 * count / previous, 1) if previous else 0.0)
		stages.append(Stage(doctype, count, rate))
		previous = count
	return stages


def due_dates(
	bucket: tuple[int, int | None], today: datetime.date
) -> tuple[datetime.date | None, datetime.date | None]:
	"""(earliest, latest) due date of the invoices in an age bucket; None is open. The first bucket
	also holds the invoices not due yet."""
	low, high = bucket
	earliest = None if high is None else today - datetime.timedelta(days=high)
	latest = None if low == 0 else today - datetime.timedelta(days=low)
	return earliest, latest


def months(from_date: datetime.date, to_date: datetime.date) -> list[str]:
	"""YYYY-MM of each month from the first date's to the second's."""
	result, year, month = [], from_date.year, from_date.month
	while (year, month) <= (to_date.year, to_date.month):
		result.append(f"{year:04d}-{month:02d}")
		year, month = (year + 1, 1) if month == 12 else (year, month + 1)
	return result


def active_change(changed: Iterable) -> int | None:
	"""From a Version's `changed` rows ([field, old, new]): +1 reactivated, -1 deactivated, None."""
	for row in changed or ():
		if isinstance(row, list | tuple) and len(row) == 3 and row[0] == "crm_active":
			old, new = _flag(row[1]), _flag(row[2])
			if old and not new:
				return -1
			if new and not old:
				return 1
	return None


def _flag(value) -> bool:
	return str(value).strip().lower() in ("1", "true", "yes")
