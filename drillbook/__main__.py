"""`python -m drillbook`: the command line, as the installed `drillbook` command runs it."""

from drillbook.drills.cli import main

raise SystemExit(main())
