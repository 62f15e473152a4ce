"""The ``infoshare`` command line: one small module per subcommand."""
