import sys

from ivr.menu.cli import main

sys.exit(main())
