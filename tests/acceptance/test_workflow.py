"""需求工作流: transitions, reasons and who may move what (features/requirements/workflow.feature)."""
from pytest_bdd import scenarios

scenarios("requirements/workflow.feature")
