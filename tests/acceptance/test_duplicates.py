"""合并重复需求 (features/requirements/duplicates.feature)."""
from pytest_bdd import scenarios

scenarios("requirements/duplicates.feature")
