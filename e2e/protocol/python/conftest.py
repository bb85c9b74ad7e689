import pytest

from harness import Server


@pytest.fixture(scope="session")
def server():
    # test_7 opens 30 portal sockets of one user at once: lift the per-user portal cap and read
    # budget (tested in the Rust suite) so the race is what is tested.
    srv = Server(env={"HUDDLE_REALTIME__PORTAL_CONNECTIONS_PER_USER": "100", "HUDDLE_REALTIME__READS_PER_SECOND": "1000"})
    try:
        yield srv
    finally:
        srv.stop()
