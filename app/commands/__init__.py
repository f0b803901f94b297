"""`minbil` sub-commands, one module per group; each defines `register(subparsers)`, called by `app.cli`."""
