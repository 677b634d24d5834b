"""`python -m dco`: the same as the `dco` command."""

from dco.cli import main

main()
