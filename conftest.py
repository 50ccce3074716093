"""Test-session setup shared by tests/ and the notebooks nbmake executes."""

from __future__ import annotations


def pytest_configure(config):
    # nbmake runs notebooks inside the pytest (xdist worker) process: guard its kernel client
    # against lost socket wake-ups, as kit run does (see kit/kernel_io.py).
    from kit.kernel_io import install_poll_workaround

    install_poll_workaround()
