"""需求时间线 (features/requirements/timeline.feature)."""
from pytest_bdd import scenarios

scenarios("requirements/timeline.feature")
