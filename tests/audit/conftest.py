# The walk's claim steps file a claim for the subsidies tests' trained and departed class.
from tests.subsidies.conftest import departed, standards  # noqa: F401
