import sys

from ivr.modelbuild.cli import main

sys.exit(main())
