import pytest


@pytest.fixture
def client(app):
    """A browser asking for English, so that assertions on UI text hold once French is in."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
