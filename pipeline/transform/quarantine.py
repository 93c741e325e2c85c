"""How a record set aside is stored: the ``quarantine`` table's Arrow schema and its payload text.

Shared by the loaders (through :class:`pipeline.loaders.RunContext`) and the Hub's transform
workers (:mod:`pipeline.transform.hub_pages`), which write their quarantined records to Parquet
without DuckDB.
"""

from __future__ import annotations

import orjson
import pyarrow as pa

QUARANTINE_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("source", pa.string()), ("record_key", pa.string()),
    ("reason", pa.string()), ("payload", pa.string()), ("quarantined_at", pa.timestamp("us", tz="UTC")),
])
PAYLOAD_LIMIT = 2000


def quarantine_payload(payload: object) -> str:
    """A quarantined record as text, as received as far as possible, cut to :data:`PAYLOAD_LIMIT`."""
    if isinstance(payload, bytes | str):
        text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
    else:
        try:
            text = orjson.dumps(payload, default=str).decode()
        except (TypeError, orjson.JSONEncodeError):
            text = repr(payload)
    return text[:PAYLOAD_LIMIT]
