"""``python -m interfaces.cli``: the ``growthsim`` command."""

from interfaces.cli import main

main()
