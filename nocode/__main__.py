"""`python -m nocode`: the same as the `nocode` command."""

from nocode.cli import main

main()
