"""Secrets: ``${NAME}`` references and secrets files (:mod:`.references`), the encrypted store
(:mod:`.store`) and redaction of secret values from everything that leaves the process
(:mod:`.redact`, :mod:`.redact_headers`)."""
