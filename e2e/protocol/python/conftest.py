import pytest

import harness
from harness import Server


@pytest.fixture(scope="session")
def server():
    # test_7 opens 30 portal sockets of one user at once: lift the per-user portal cap (the harness
    # lifts the read budget /portal requests use; both have their own tests in the Rust suite) so
    # the race is what is tested.
    srv = Server(env={"HUDDLE_REALTIME__PORTAL_CONNECTIONS_PER_USER": "100"})
    try:
        yield srv
    finally:
        srv.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report ends with the log tail of every server still running."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for srv in harness.LIVE_SERVERS:
            label = srv.label or "harness defaults"
            report.sections.append((f"huddle server at {srv.base} ({label}): last 80 lines", srv.tail(80)))
