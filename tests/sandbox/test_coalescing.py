"""Writes of one loop turn leave as one write, in order, before any close."""

from __future__ import annotations

import asyncio
from typing import Any

from tether.sandbox._coalescing import CoalescingTransport


class Recording(asyncio.Transport):
    """A transport that keeps what it is asked to do, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Any] = []
        self.closing = False

    def write(self, data: Any) -> None:
        self.calls.append(bytes(data))

    def close(self) -> None:
        self.closing = True
        self.calls.append("close")

    def abort(self) -> None:
        self.closing = True
        self.calls.append("abort")

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 0


async def _turn() -> None:
    await asyncio.sleep(0)


async def test_writes_of_one_turn_leave_together_at_its_end() -> None:
    inner = Recording()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.write(b"")
    transport.write(b"{}")
    assert inner.calls == []
    assert transport.get_write_buffer_size() == 21
    await _turn()
    assert inner.calls == [b"HTTP/1.1 200 OK\r\n\r\n{}"]
    transport.write(b"next")
    await _turn()
    assert inner.calls[1:] == [b"next"]


async def test_a_reused_buffer_cannot_change_what_is_sent() -> None:
    inner = Recording()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    buffer = bytearray(b"abc")
    transport.write(buffer)
    buffer[:] = b"xyz"
    await _turn()
    assert inner.calls == [b"abc"]


async def test_close_sends_what_was_written_first_and_abort_drops_it() -> None:
    inner = Recording()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    transport.write(b"partial body")
    transport.close()
    await _turn()
    assert inner.calls == [b"partial body", "close"]

    inner = Recording()
    transport = CoalescingTransport(inner, asyncio.get_running_loop())
    transport.write(b"never sent")
    transport.abort()
    await _turn()
    assert inner.calls == ["abort"]
