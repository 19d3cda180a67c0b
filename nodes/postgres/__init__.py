"""PostgreSQL: the `postgres` connection, `postgres-out` (batched inserts, upserts) and
`postgres-query` (parameterised SQL per message).

The pool is SQLAlchemy's (``create_async_engine`` over ``postgresql+psycopg``): it connects on
checkout, so a refused password or a stopped server surfaces at once as the error it is, and
leaves reconnecting to the engine's back-off; the work itself (COPY, pipelined executemany,
Jsonb, ``psycopg.sql`` identifiers) is done on the checked-out psycopg 3 connection.
"""
