"""区划范围 (features/requirements/region_scope.feature)."""
from pytest_bdd import scenarios

scenarios("requirements/region_scope.feature")
