"""Use cases of the router: one function per command or event."""
