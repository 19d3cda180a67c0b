"""`python -m flowrt`: the command line."""

from flowrt.cli import main

main()
