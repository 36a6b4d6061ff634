"""The ``docsgen`` command: one module per subcommand, registered in :mod:`.main`."""
