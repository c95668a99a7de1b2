"""Geometry: coordinate systems and datums, service circles, the facility index and
distance providers."""
