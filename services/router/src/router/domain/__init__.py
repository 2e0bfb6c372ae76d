"""Router service: domain."""
