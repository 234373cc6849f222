import pytest


@pytest.fixture
def client(english_client):
    """This room's tests read English UI text (the fixture is in tests/conftest.py)."""
    return english_client
