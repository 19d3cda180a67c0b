"""MySQL and MariaDB: the `mysql` connection and `mysql-query` (SQL per message, Node-RED's
node-red-node-mysql semantics: the statement in msg.topic, its values in msg.payload).

The pool is SQLAlchemy's (``create_async_engine`` over ``mysql+aiomysql``), checked with a ping
before each use, so a connection the server dropped (a restart, ``KILL``, ``wait_timeout``) is
replaced instead of failing a message; the statements run on the checked-out aiomysql
connection.
"""
