import pytest

from harness import Server


@pytest.fixture(scope="session")
def server():
    srv = Server()
    try:
        yield srv
    finally:
        srv.stop()
