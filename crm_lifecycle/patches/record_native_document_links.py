"""Records the conversions ERPNext made before the app was installed (see services.dependencies)."""

from crm_lifecycle.services.dependencies import backfill


def execute() -> None:
	backfill()
