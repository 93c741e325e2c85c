"""Analyses of the read side: pure functions over what the queries return (no SQL, no I/O)."""
