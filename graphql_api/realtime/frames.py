"""`next` frames of subscriptions whose results are shared: the payload is encoded once, each frame adds its id.

A result shared by many subscriptions (`SharedEventExecution`) carries the same `data` object to each of them;
encoding it again for every subscription was most of the cost of sending. The text is the same as strawberry's
`encode_json` of the whole message (compact JSON, keys in the order id, type, payload).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable


class EncodedPayloads:
    """The last `size` encoded `{"data": ...}` payloads, by the identity of their data (kept alive meanwhile)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[object, str]] = OrderedDict()
        self.encodings = 0  # for tests and diagnostics

    def next_frame(self, op_id: str, data: object, encode: Callable[[object], str | bytes]) -> str | None:
        """The frame's text; None when `encode` does not produce text."""
        entry = self._entries.get(id(data))
        if entry is not None and entry[0] is data:
            payload = entry[1]
        else:
            encoded = encode({"data": data})
            if not isinstance(encoded, str):
                return None
            payload = encoded
            self.encodings += 1
            self._entries[id(data)] = (data, payload)
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return '{"id":' + json.dumps(op_id) + ',"type":"next","payload":' + payload + "}"
