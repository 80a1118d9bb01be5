"""tether's transport layers, one module each; ``_stack.compose_transport`` stacks them.

A call through a tether client goes down the stack and its answer comes back up::

    Client.send
      -> ObservingTransport      _observe.py   one log line and event per call
        -> RetryTransport        _retry.py     attempts, waits, deadline, budget
          -> RateLimitTransport  _ratelimit.py reserve a slot, wait, learn the pace
            -> base transport    httpx2's, or the user's

The layers share only what :mod:`tether._transports._base` defines (the extension keys the
request and response carry between them, the attempt history, context-manager
forwarding); none imports another. This package module imports nothing itself, so any
part of tether may take a key from ``_base`` without an import cycle.
"""
