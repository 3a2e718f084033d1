"""登记需求: filing a requirement through the API (features/requirements/intake.feature)."""
from pytest_bdd import scenarios

scenarios("requirements/intake.feature")
