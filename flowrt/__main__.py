"""`python -m flowrt`: the command line."""

from flowrt.cli.commands import main

main()
