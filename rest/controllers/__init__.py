"""One controller module per reference tag."""
