"""The sliced poll keeps get_msg's contract and recovers a message whose wake-up was missed."""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest

from kit.kernel_io import _sliced_get_msg, install_poll_workaround


class MissedWakeupSocket:
    """A socket whose blocking poll never reports the message (the lost wake-up); only a
    non-blocking poll(0) sees it, after `ready_after` polls."""

    def __init__(self, ready_after: int | None):
        self.ready_after, self.polls = ready_after, []

    async def poll(self, timeout_ms):
        self.polls.append(timeout_ms)
        if timeout_ms:
            await asyncio.sleep(timeout_ms / 1000)
            return 0
        return int(self.ready_after is not None and len(self.polls) > self.ready_after)


class Channel:
    def __init__(self, socket):
        self.socket = socket

    async def _recv(self):
        return {"msg_type": "execute_reply"}


def test_a_message_whose_wake_up_was_missed_is_found_within_a_slice():
    channel = Channel(MissedWakeupSocket(ready_after=1))
    msg = asyncio.run(_sliced_get_msg(channel, timeout=30))
    assert msg == {"msg_type": "execute_reply"}
    assert channel.socket.polls[0] <= 500  # never one long poll for the whole timeout


def test_no_message_still_raises_empty_at_the_timeout():
    channel = Channel(MissedWakeupSocket(ready_after=None))
    with pytest.raises(Empty):
        asyncio.run(_sliced_get_msg(channel, timeout=1.2))
    assert sum(t for t in channel.socket.polls) >= 1000


def test_install_patches_jupyter_clients_async_channel():
    from jupyter_client.channels import AsyncZMQSocketChannel

    install_poll_workaround()
    install_poll_workaround()
    assert AsyncZMQSocketChannel.get_msg is _sliced_get_msg
