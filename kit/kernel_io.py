"""A guard against lost wake-ups on the notebook client's kernel sockets.

jupyter_client's asyncio channel waits for a kernel message with one `socket.poll(timeout)` for
the whole cell timeout. Now and then the socket's edge-triggered wake-up is missed (pyzmq's
asyncio integration; see pyzmq#2173 and ipykernel#1554): the reply has arrived, but the client
sleeps until the timeout runs out. Seen here as notebooks stalling for exactly the cell timeout
(forever without one) under papermill and nbmake. Polling in short slices, with a non-blocking
check after each, bounds that stall to one slice. Installed by the runner's workers and by the
test suite; JupyterLab's own server is not affected.
"""

from __future__ import annotations

from queue import Empty
from time import monotonic

SLICE_SECONDS = 0.5


async def _sliced_get_msg(self, timeout: float | None = None) -> dict:
    """`AsyncZMQSocketChannel.get_msg` that polls in slices; same contract (raises Empty)."""
    assert self.socket is not None
    deadline = None if timeout is None else monotonic() + timeout
    while True:
        remaining = None if deadline is None else deadline - monotonic()
        step = SLICE_SECONDS if remaining is None else max(0.0, min(SLICE_SECONDS, remaining))
        if await self.socket.poll(int(step * 1000)) or await self.socket.poll(0):
            return await self._recv()
        if remaining is not None and remaining <= SLICE_SECONDS:
            raise Empty


def install_poll_workaround() -> None:
    """Patch jupyter_client's asyncio channel in this process (idempotent)."""
    from jupyter_client.channels import AsyncZMQSocketChannel

    if AsyncZMQSocketChannel.get_msg is not _sliced_get_msg:
        AsyncZMQSocketChannel.get_msg = _sliced_get_msg  # type: ignore[method-assign]
