"""The `flowrt` command line. The commands are in :mod:`flowrt.cli.commands` (entry point
``flowrt.cli.commands:main``); running flows in :mod:`flowrt.cli.run`."""
