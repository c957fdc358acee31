import sys

from drillbook.drills.cli import main

sys.exit(main())
