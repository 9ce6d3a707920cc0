"""`python -m cse_audit.cli ...` runs the command line (as the `cse-audit` script does)."""

from . import main

main()
