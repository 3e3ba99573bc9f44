"""The shipped business registries by key. The providers build on core.registry; this module
lists them, so the base never imports its own subclasses."""

from crm_lifecycle.core.registry import Provider
from crm_lifecycle.core.registry_ares import Ares
from crm_lifecycle.core.registry_vies import Vies


def providers() -> dict[str, Provider]:
	return {provider.key: provider for provider in (Ares(), Vies())}
