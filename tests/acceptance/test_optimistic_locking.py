"""乐观锁 (features/requirements/optimistic_locking.feature)."""
from pytest_bdd import scenarios

scenarios("requirements/optimistic_locking.feature")
