"""``python -m partner_sim --help``."""

from partner_sim.cli import main

main()
