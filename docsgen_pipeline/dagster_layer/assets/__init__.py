"""Asset factories: the brief, each phase (plan, files, gate, approval) and the final bundle."""
