"""Connections to the two stores: embedded SQLite (default) and MongoDB (PyMongo async)."""
